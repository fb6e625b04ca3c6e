//! A scripted HTTP stand-in for AWS endpoints on 127.0.0.1, for the unit tests and (by `#[path]`) the
//! integration tests: plain std, so both can compile it.

use std::io::{BufRead, BufReader, Read, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One scripted answer: status, extra headers, body.
pub type Answer = (u16, Vec<(String, String)>, String);
/// The requests a stand-in saw: (head, body) each.
pub type Seen = Arc<Mutex<Vec<(String, String)>>>;

/// An HTTP stand-in on 127.0.0.1 that gives the scripted answers in turn (the last again once they run out;
/// an answer of status 0 never answers) and records each request's headers and body.
pub fn stand_in(answers: Vec<Answer>) -> (String, Seen) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let answers = Arc::new(answers);
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().flatten().enumerate() {
            let (answers, log) = (answers.clone(), log.clone());
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream);
                let (mut length, mut head) = (0, String::new());
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                    head.push_str(&line);
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                log.lock().unwrap().push((head, String::from_utf8_lossy(&body).into_owned()));
                let (status, headers, text) = answers[n.min(answers.len() - 1)].clone();
                if status == 0 {
                    std::thread::sleep(Duration::from_secs(30));
                    return;
                }
                let extra: String = headers.iter().map(|(k, v)| format!("{k}: {v}\r\n")).collect();
                let _ = write!(
                    reader.get_mut(),
                    "HTTP/1.1 {status} X\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{text}",
                    text.len()
                );
            });
        }
    });
    (endpoint, seen)
}
