//! Reading a synthesized app back from its cloud assembly: what it deploys ([`inventory`]), what it costs
//! ([`cost`]), how it is drawn ([`diagram`]), what it exposes ([`security`]) and the app's own facts ([`facts`]:
//! its name, regions, members and their join modes, the host), so that the deployer, `status` and every report
//! see exactly the JSON that is deployed and never a config beside it.

pub mod cost;
pub mod desired_state;
pub mod diagram;
pub mod facts;
pub mod inventory;
pub mod security;
pub mod template;
