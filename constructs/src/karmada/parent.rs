//! `KarmadaParent`: placeholder while the L3 is written.
use super::Config;
use crate::core::{App, SynthError};
pub struct KarmadaParent;
impl KarmadaParent {
    pub fn new(_config: &Config) -> Result<App, SynthError> { Ok(App::new()) }
}
