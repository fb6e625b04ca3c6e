//! The tags every stack of the app carries: the app, its part, and the config's `tags`.

use crate::karmada::config::Config;
use crate::karmada::wellknown::{self, Part};

pub(super) fn tag(stack: &mut crate::core::Stack, config: &Config, part: Part) {
    stack.tag(wellknown::TAG_APP, config.app.as_str());
    stack.tag(wellknown::TAG_PART, part.as_str());
    for (k, v) in &config.tags {
        stack.tag(k, v.as_str());
    }
}
