//! Steps between Karmada releases, as Karmada's upgrading guide allows them (karmada-io/website,
//! docs/administrator/upgrading: "cross-version upgrades are not recommended", one minor version at a time, and no
//! downgrade path). The host's reconcile applies the same rule (templates/reconcile/upgrade.sh.hbs, `release_step`)
//! to the release Karmada runs; `deploy` applies it to the one the host last applied, before anything changes.

/// A release tag `vMAJOR.MINOR.PATCH`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Release(pub u32, pub u32, pub u32);

impl Release {
    /// `None` unless `tag` is `v` and three decimal numbers without leading zeros.
    pub fn parse(tag: &str) -> Option<Release> {
        let mut parts = tag.strip_prefix('v')?.split('.');
        let mut next = || {
            let p = parts.next()?;
            let plain = !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && (p == "0" || !p.starts_with('0'));
            plain.then(|| p.parse().ok()).flatten()
        };
        let release = Release(next()?, next()?, next()?);
        parts.next().is_none().then_some(release)
    }
}

/// What going from one release to another is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Same,
    /// Forward by patches or one minor version: the reconcile upgrades in place.
    Upgrade,
    /// Backwards: refused, with the release to stay on.
    Downgrade,
    /// More than one minor version forward (or another major): refused, with the release to go to first.
    TooFar {
        first: String,
    },
}

/// The step from `from` to `to`; `None` when either is not a release tag.
pub fn step(from: &str, to: &str) -> Option<Step> {
    let (f, t) = (Release::parse(from)?, Release::parse(to)?);
    Some(if t == f {
        Step::Same
    } else if t < f {
        Step::Downgrade
    } else if t.0 != f.0 || t.1 > f.1 + 1 {
        Step::TooFar { first: format!("v{}.{}.x", f.0, f.1 + 1) }
    } else {
        Step::Upgrade
    })
}

/// The value of `KARMADA_VERSION=` in a desired-state bundle's `settings` file.
pub fn of_settings(settings: &str) -> Option<&str> {
    settings.lines().find_map(|l| l.strip_prefix("KARMADA_VERSION=")).map(str::trim).filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_tags_parse_strictly() {
        assert_eq!(Release::parse("v1.18.2"), Some(Release(1, 18, 2)));
        assert_eq!(Release::parse("v1.0.0"), Some(Release(1, 0, 0)));
        for bad in ["1.18.2", "v1.18", "v1.18.2.1", "v1.018.2", "v1.18.x", "v1.18.2-rc.0", "latest", "v", ""] {
            assert_eq!(Release::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn forward_within_one_minor_upgrades_and_the_rest_is_refused() {
        assert_eq!(step("v1.18.2", "v1.18.2"), Some(Step::Same));
        assert_eq!(step("v1.18.0", "v1.18.2"), Some(Step::Upgrade));
        assert_eq!(step("v1.17.5", "v1.18.0"), Some(Step::Upgrade));
        assert_eq!(step("v1.18.2", "v1.18.1"), Some(Step::Downgrade));
        assert_eq!(step("v1.18.0", "v1.17.9"), Some(Step::Downgrade));
        assert_eq!(step("v1.16.3", "v1.18.2"), Some(Step::TooFar { first: "v1.17.x".into() }));
        assert_eq!(step("v1.18.2", "v2.0.0"), Some(Step::TooFar { first: "v1.19.x".into() }));
        assert_eq!(step("latest", "v1.18.2"), None);
    }

    #[test]
    fn the_release_is_read_from_the_settings_file() {
        assert_eq!(of_settings("POLL=5\nKARMADA_VERSION=v1.18.1\nKUBE_IMAGE_TAG=v1.35.2\n"), Some("v1.18.1"));
        assert_eq!(of_settings("POLL=5\n"), None, "a bundle of an earlier karmada-eks names none");
    }
}
