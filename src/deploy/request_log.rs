//! Logs every AWS response's status and request ID at info level (`-v`; the SDK's own events are at debug, `-vv`),
//! the ID being what AWS Support and CloudTrail know the call by. The operation is in the SDK's span around it
//! (`SSM.GetParameter{...}`).

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeDeserializationInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_types::request_id::RequestId;

/// The interceptor every SDK client of karmada-eks carries.
#[derive(Debug, Default)]
pub struct RequestLog;

impl Intercept for RequestLog {
    fn name(&self) -> &'static str {
        "RequestLog"
    }

    fn read_after_transmit(
        &self,
        context: &BeforeDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response();
        tracing::info!(
            status = response.status().as_u16(),
            request_id = response.headers().request_id(),
            "AWS response"
        );
        Ok(())
    }
}
