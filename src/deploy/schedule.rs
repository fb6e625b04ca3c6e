//! Running work over a dependency graph: each node after the nodes it depends on, at most `concurrency` at once,
//! nothing new started once a node failed.

use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::sync::Arc;
use tokio::task::JoinSet;

use constructs::core::StackArtifact;

/// What `run_stacks` needs of a stack's result: whether it succeeded, and the result of a stack never started.
pub trait StackResult: Send + 'static {
    fn ok(&self) -> bool;
    fn not_started(stack: &StackArtifact) -> Self;
}

/// One node: its name and the names it waits for (names outside the graph are ignored).
#[derive(Clone, Debug)]
pub struct Node {
    pub name: String,
    pub after: Vec<String>,
}

/// Runs `work` on each stack once every stack named by `after(stack)` has succeeded, at most `concurrency` at a
/// time; a stack left waiting behind a failure is reported as not started. Reports come in the order of `stacks`.
pub async fn run_stacks<R, F, Fut>(
    stacks: Vec<Arc<StackArtifact>>,
    after: impl Fn(&StackArtifact) -> Vec<String>,
    concurrency: usize,
    work: F,
) -> Vec<R>
where
    R: StackResult,
    F: Fn(Arc<StackArtifact>) -> Fut,
    Fut: Future<Output = R> + Send + 'static,
{
    let nodes: Vec<Node> = stacks.iter().map(|s| Node { name: s.name.clone(), after: after(s) }).collect();
    let by_name: HashMap<String, Arc<StackArtifact>> = stacks.iter().map(|s| (s.name.clone(), s.clone())).collect();
    let results = run(&nodes, concurrency, |name| {
        let report = work(by_name[&name].clone());
        async move {
            let report = report.await;
            let ok = report.ok();
            (report, ok)
        }
    })
    .await;
    results.into_iter().map(|(name, report)| report.unwrap_or_else(|| R::not_started(&by_name[&name]))).collect()
}

/// Runs `work(name)` for each node; `work` returns its result and whether it succeeded. Results come back in
/// node order, `None` for nodes not started because something failed first.
pub async fn run<T, F, Fut>(nodes: &[Node], concurrency: usize, work: F) -> Vec<(String, Option<T>)>
where
    T: Send + 'static,
    F: Fn(String) -> Fut,
    Fut: Future<Output = (T, bool)> + Send + 'static,
{
    let names: BTreeSet<&str> = nodes.iter().map(|n| n.name.as_str()).collect();
    let mut pending: Vec<&Node> = nodes.iter().collect();
    let mut done: BTreeSet<String> = BTreeSet::new();
    let mut results: HashMap<String, T> = HashMap::new();
    let mut running = JoinSet::new();
    let mut failed = false;
    loop {
        while !failed && running.len() < concurrency.max(1) {
            let ready =
                pending.iter().position(|n| n.after.iter().all(|d| !names.contains(d.as_str()) || done.contains(d)));
            let Some(i) = ready else { break };
            let node = pending.remove(i);
            let name = node.name.clone();
            let fut = work(name.clone());
            running.spawn(async move { (name, fut.await) });
        }
        match running.join_next().await {
            Some(Ok((name, (result, ok)))) => {
                failed |= !ok;
                if ok {
                    done.insert(name.clone());
                }
                results.insert(name, result);
            }
            Some(Err(_)) => failed = true,
            None => break,
        }
    }
    nodes.iter().map(|n| (n.name.clone(), results.remove(&n.name))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    fn node(name: &str, after: &[&str]) -> Node {
        Node { name: name.into(), after: after.iter().map(|s| s.to_string()).collect() }
    }

    #[tokio::test]
    async fn dependencies_run_first_and_failure_stops_new_work() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let nodes = vec![node("a", &[]), node("b", &["a"]), node("c", &["b"]), node("d", &["a"])];
        let l = log.clone();
        let results = run(&nodes, 1, move |name| {
            let l = l.clone();
            async move {
                l.lock().unwrap().push(name.clone());
                (name.clone(), name != "b")
            }
        })
        .await;
        assert_eq!(*log.lock().unwrap(), vec!["a", "b"]);
        assert!(results[2].1.is_none() && results[3].1.is_none());
        let l = log.clone();
        l.lock().unwrap().clear();
        let results = run(&nodes, 4, move |name| async move { (name, true) }).await;
        assert!(results.iter().all(|(_, r)| r.is_some()));
    }
}
