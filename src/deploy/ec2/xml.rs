//! The XML of EC2 Query API responses as a small tree: elements with children or text, no mixed content, the
//! declaration and attributes skipped. EC2 writes lists as `<fooSet><item>..</item></fooSet>`.

/// One element.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The text of the first child named `name`, when it has any.
    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str()).filter(|t| !t.is_empty())
    }

    /// The `<item>` children of the child `set` (empty when there is no such child).
    pub fn items<'a>(&'a self, set: &str) -> impl Iterator<Item = &'a Element> {
        self.child(set).into_iter().flat_map(|s| s.children.iter().filter(|c| c.name == "item"))
    }

    /// The first element named `name` at any depth, this one included.
    pub fn find(&self, name: &str) -> Option<&Element> {
        if self.name == name {
            return Some(self);
        }
        self.children.iter().find_map(|c| c.find(name))
    }
}

/// Why a document could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("malformed XML at byte {at}: {what}")]
pub struct XmlError {
    pub at: usize,
    pub what: &'static str,
}

/// Parses `doc` into its root element.
pub fn parse(doc: &str) -> Result<Element, XmlError> {
    let mut p = Parser { s: doc.as_bytes(), i: 0, src: doc };
    p.skip_prolog()?;
    let root = p.element()?;
    p.skip_space();
    if p.i != p.s.len() {
        return Err(p.err("content after the root element"));
    }
    Ok(root)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    src: &'a str,
}

impl Parser<'_> {
    fn err(&self, what: &'static str) -> XmlError {
        XmlError { at: self.i, what }
    }

    fn skip_space(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn starts(&self, pat: &str) -> bool {
        self.s[self.i..].starts_with(pat.as_bytes())
    }

    fn skip_past(&mut self, pat: &str) -> Result<(), XmlError> {
        match self.src[self.i..].find(pat) {
            Some(n) => {
                self.i += n + pat.len();
                Ok(())
            }
            None => Err(self.err("unterminated markup")),
        }
    }

    fn skip_prolog(&mut self) -> Result<(), XmlError> {
        if self.starts("\u{feff}") {
            self.i += 3;
        }
        loop {
            self.skip_space();
            if self.starts("<?") {
                self.skip_past("?>")?;
            } else if self.starts("<!--") {
                self.skip_past("-->")?;
            } else {
                return Ok(());
            }
        }
    }

    fn name(&mut self) -> Result<String, XmlError> {
        let start = self.i;
        while self.i < self.s.len() && !matches!(self.s[self.i], b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/') {
            self.i += 1;
        }
        if start == self.i {
            return Err(self.err("expected a name"));
        }
        let full = &self.src[start..self.i];
        Ok(full.rsplit(':').next().unwrap_or(full).to_string())
    }

    fn element(&mut self) -> Result<Element, XmlError> {
        if !self.starts("<") {
            return Err(self.err("expected an element"));
        }
        self.i += 1;
        let name = self.name()?;
        let close = self.src[self.i..].find('>').ok_or_else(|| self.err("unterminated start tag"))?;
        let empty = self.s[self.i + close - 1] == b'/';
        self.i += close + 1;
        let mut el = Element { name, ..Element::default() };
        if empty {
            return Ok(el);
        }
        loop {
            if self.i >= self.s.len() {
                return Err(self.err("unterminated element"));
            }
            if self.starts("</") {
                self.i += 2;
                let end = self.name()?;
                if end != el.name {
                    return Err(self.err("end tag does not match its start tag"));
                }
                self.skip_past(">")?;
                if !el.children.is_empty() {
                    el.text.clear();
                }
                return Ok(el);
            } else if self.starts("<!--") {
                self.skip_past("-->")?;
            } else if self.starts("<![CDATA[") {
                let start = self.i + 9;
                self.skip_past("]]>")?;
                el.text.push_str(&self.src[start..self.i - 3]);
            } else if self.starts("<") {
                el.children.push(self.element()?);
            } else {
                let start = self.i;
                while self.i < self.s.len() && self.s[self.i] != b'<' {
                    self.i += 1;
                }
                el.text
                    .push_str(&unescape(&self.src[start..self.i]).ok_or(XmlError { at: start, what: "bad entity" })?);
            }
        }
    }
}

fn unescape(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let semi = rest[amp..].find(';')? + amp;
        let entity = &rest[amp + 1..semi];
        let c = match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = match entity.strip_prefix("#x").or_else(|| entity.strip_prefix("#X")) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                    None => entity.strip_prefix('#')?.parse().ok()?,
                };
                char::from_u32(code)?
            }
        };
        out.push(c);
        rest = &rest[semi + 1..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_ec2_response() {
        let doc = r#"<?xml version="1.0" encoding="UTF-8"?>
<DescribeVolumesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
    <volumeSet>
        <item>
            <volumeId>vol-1</volumeId>
            <size>5</size>
            <tagSet><item><key>a&amp;b</key><value>&lt;x&gt; &#233;</value></item></tagSet>
        </item>
        <item><volumeId>vol-2</volumeId><tagSet/></item>
    </volumeSet>
    <nextToken/>
</DescribeVolumesResponse>"#;
        let root = parse(doc).unwrap();
        assert_eq!(root.name, "DescribeVolumesResponse");
        let items: Vec<&Element> = root.items("volumeSet").collect();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].text_of("volumeId"), Some("vol-1"));
        assert_eq!(items[0].text_of("size"), Some("5"));
        let tag = items[0].items("tagSet").next().unwrap();
        assert_eq!((tag.text_of("key"), tag.text_of("value")), (Some("a&b"), Some("<x> é")));
        assert_eq!(items[1].items("tagSet").count(), 0);
        assert_eq!(root.text_of("nextToken"), None);
    }

    #[test]
    fn reads_an_error_response() {
        let doc = "<Response><Errors><Error><Code>InvalidVolume.NotFound</Code><Message>The volume 'vol-1' does \
                   not exist.</Message></Error></Errors><RequestID>x</RequestID></Response>";
        let root = parse(doc).unwrap();
        let e = root.find("Error").unwrap();
        assert_eq!(e.text_of("Code"), Some("InvalidVolume.NotFound"));
    }

    #[test]
    fn refuses_broken_documents() {
        for bad in ["", "<a>", "<a></b>", "<a>&bogus;</a>", "<a/>junk", "<a><b></a>"] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
