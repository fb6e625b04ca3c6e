//! What several test modules share: running the binary and reading the assembly (`common`), the moto server
//! and its clients (`moto`), the bootstrap harness with its fakes (`bootstrap`), and the scripted HTTP stand-in of
//! the EC2 client's unit tests.

#![allow(dead_code)] // each module uses its share of the helpers

pub mod bootstrap;
pub mod common;
#[path = "../../../src/deploy/http_stand_in.rs"]
pub mod http_stand_in;
pub mod moto;
