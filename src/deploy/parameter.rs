//! The app's own records in SSM Parameter Store (String parameters in the app's home region): read, create only
//! when absent, overwrite, delete. A parameter that does not exist is an answer here, never an error.

use aws_sdk_ssm::types::{ParameterTier, ParameterType};
use aws_sdk_ssm::Client;

use super::error::AwsError;

/// The value of `name`; `None` when it does not exist.
pub async fn get(ssm: &Client, name: &str) -> Result<Option<String>, AwsError> {
    match ssm.get_parameter().name(name).send().await {
        Ok(out) => Ok(Some(out.parameter().and_then(|p| p.value()).unwrap_or_default().to_string())),
        Err(e) => absent_is_none(AwsError::from_sdk("GetParameter", e)),
    }
}

/// Creates `name` only if it does not exist (PutParameter without Overwrite, which SSM refuses with
/// ParameterAlreadyExists); `false` when it exists.
pub async fn create(ssm: &Client, name: &str, value: &str, description: &str) -> Result<bool, AwsError> {
    let sent = ssm
        .put_parameter()
        .name(name)
        .value(value)
        .r#type(ParameterType::String)
        .overwrite(false)
        .description(description)
        .send()
        .await;
    match sent {
        Ok(_) => Ok(true),
        Err(e) => {
            let e = AwsError::from_sdk("PutParameter", e);
            if e.code.as_deref() == Some("ParameterAlreadyExists") {
                Ok(false)
            } else {
                Err(e)
            }
        }
    }
}

/// Writes `name`, replacing its value. Intelligent-Tiering: a standard parameter while the value fits its 4 KB,
/// advanced past that.
pub async fn put(ssm: &Client, name: &str, value: &str, description: &str) -> Result<(), AwsError> {
    ssm.put_parameter()
        .name(name)
        .value(value)
        .r#type(ParameterType::String)
        .tier(ParameterTier::IntelligentTiering)
        .overwrite(true)
        .description(description)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| AwsError::from_sdk("PutParameter", e))
}

/// Deletes `name`; one already gone counts as deleted.
pub async fn delete(ssm: &Client, name: &str) -> Result<(), AwsError> {
    match ssm.delete_parameter().name(name).send().await {
        Ok(_) => Ok(()),
        Err(e) => absent_is_none(AwsError::from_sdk("DeleteParameter", e)).map(|_: Option<()>| ()),
    }
}

fn absent_is_none<T>(e: AwsError) -> Result<Option<T>, AwsError> {
    if e.is_not_found() {
        Ok(None)
    } else {
        Err(e)
    }
}
