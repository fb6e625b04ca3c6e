//! Keeps a template's tag-free lines out of the handlebars parser.
//!
//! Compiling a template costs far more per byte of plain text than rendering it (pest matches the text character
//! by character, and handlebars computes every element's line and column from the start), and the host scripts
//! are mostly plain shell. [`extract`] replaces each run of whole lines that hold no tag with a call of the
//! [`HELPER`] helper naming the run, so only the tags and the lines around them are parsed; [`StaticText`] writes
//! the run back at render time. The output is byte for byte what the whole text would render to:
//!
//! - a blank rest of a tag's line, and the newline and indent before a tag, stay in the template, so a standalone
//!   tag (`{{#if}}` alone on its line, whose line handlebars removes) still has its line to itself;
//! - the runs go through handlebars' own indentation, so an indented partial stays indented;
//! - a text with a whitespace-control (`~`), raw-block, comment or escaped tag is left whole, because those reach
//!   past a tag's own line.
//!
//! The tests below render texts both ways and compare; the snapshots of every synthesized template pin the rest.

use handlebars::{Context, Handlebars, Helper, HelperDef, JsonValue, RenderContext, RenderError, ScopedJson};

/// The helper's name in the rewritten templates.
pub const HELPER: &str = "karmada_eks_static_lines";

/// Runs shorter than this stay in the template: the helper call would save little.
const MIN_RUN: usize = 64;

/// The runs taken out of every template, indexed by the number in the helper call.
#[derive(Default)]
pub struct StaticText {
    runs: Vec<&'static str>,
}

impl StaticText {
    /// Returns `text` with its tag-free runs of lines replaced by helper calls, keeping the runs. Returns the text
    /// unchanged when it uses a construct that [`extract`]'s rules do not cover (see the module's doc).
    pub fn extract(&mut self, text: &'static str) -> String {
        if ["{{~", "~}}", "{{{{", "\\{{", "{{!"].iter().any(|s| text.contains(s)) {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len() / 2);
        let mut rest = 0;
        while rest < text.len() {
            let (raw_end, tag_end) = match text[rest..].find("{{") {
                Some(open) => {
                    let open = rest + open;
                    let close = text[open..].find("}}").map_or(text.len(), |c| open + c + 2);
                    (open, close)
                }
                None => (text.len(), text.len()),
            };
            self.raw(&text[rest..raw_end], &mut out);
            out.push_str(&text[raw_end..tag_end]);
            rest = tag_end;
        }
        out
    }

    /// Copies a stretch of text between two tags, its middle as a helper call. What a standalone tag needs stays:
    /// the rest of the previous tag's line when it is blank, and the newline and indent before the next tag.
    fn raw(&mut self, raw: &'static str, out: &mut String) {
        let blank = |s: &str| s.bytes().all(|b| b == b' ' || b == b'\t' || b == b'\r');
        let head = raw.find('\n').filter(|&n| blank(&raw[..n])).map_or(0, |n| n + 1);
        let tail = raw.rfind('\n').filter(|&n| blank(&raw[n + 1..])).unwrap_or(raw.len());
        if tail <= head || tail - head < MIN_RUN {
            out.push_str(raw);
            return;
        }
        out.push_str(&raw[..head]);
        out.push_str(&format!("{{{{{HELPER} {}}}}}", self.runs.len()));
        self.runs.push(&raw[head..tail]);
        out.push_str(&raw[tail..]);
    }
}

impl HelperDef for StaticText {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let run = h.param(0).and_then(|p| p.value().as_u64()).and_then(|i| self.runs.get(i as usize));
        match run {
            Some(run) => Ok(ScopedJson::Derived(JsonValue::String((*run).to_string()))),
            None => Err(handlebars::RenderErrorReason::Other(format!("{HELPER}: no such run")).into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(text: &'static str) -> (String, Vec<&'static str>) {
        let mut s = StaticText::default();
        let out = s.extract(text);
        (out, s.runs)
    }

    const BLOCK: &str =
        "{{#if a}}\nfirst line\nline one of the run, long enough to be worth a call\nlast line\n{{/if}}\n";

    #[test]
    fn the_text_between_a_tags_line_and_the_next_tags_line_becomes_one_call() {
        let (out, runs) = runs(BLOCK);
        assert_eq!(out, format!("{{{{#if a}}}}\n{{{{{HELPER} 0}}}}\n{{{{/if}}}}\n"));
        assert_eq!(runs, ["first line\nline one of the run, long enough to be worth a call\nlast line"]);
    }

    #[test]
    fn short_runs_and_texts_with_reaching_constructs_stay_whole() {
        assert_eq!(runs("{{a}}\none\ntwo\nthree\n{{b}}").0, "{{a}}\none\ntwo\nthree\n{{b}}");
        let trimmed: &'static str =
            "{{#if a ~}}\nfirst\nline one of the run, long enough to be worth a call\nlast\n{{/if}}";
        assert_eq!(runs(trimmed), (trimmed.to_string(), vec![]));
    }

    fn both_ways(text: &'static str, data: serde_json::Value) -> (String, String) {
        let mut plain = Handlebars::new();
        plain.register_template_string("t", text).unwrap();
        plain.register_template_string("p", INDENTED_PARTIAL).unwrap();
        let mut split = Handlebars::new();
        let mut runs = StaticText::default();
        split.register_template_string("t", runs.extract(text)).unwrap();
        split.register_template_string("p", runs.extract(INDENTED_PARTIAL)).unwrap();
        split.register_helper(HELPER, Box::new(runs));
        (split.render("t", &data).unwrap(), plain.render("t", &data).unwrap())
    }

    const INDENTED_PARTIAL: &str = "p first\np line one of the run, long enough to be worth a call\np two\np last\n";

    #[test]
    fn rendering_gives_the_whole_text_back() {
        let texts: [&'static str; 4] = [
            BLOCK,
            "  {{#each xs}}\nfirst {{this}}\nline one of the run, long enough to be worth a call\nlast\n  {{/each}}\nend\n",
            "top\n{{#if a}}\nfirst\nline one of the run, long enough to be worth a call\nline two\n    {{else}}\nno\n{{/if}}",
            "begin\n    {{> p}}\nafter\nline one of the run, long enough to be worth a call\nline two\nend",
        ];
        for text in texts {
            for a in [true, false] {
                let (split, plain) = both_ways(text, serde_json::json!({ "a": a, "xs": [1, 2] }));
                assert_eq!(split, plain, "{text:?}");
            }
        }
    }
}
