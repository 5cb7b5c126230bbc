//! Tests between the user service's email client (the consumer) and the
//! email service (the provider). One binary; the Pact modules only exist
//! with `--features pact`, because the Pact crates take minutes to build.

// OUTPUT(measured): output/comparison.txt \
//   $ PACT_DO_NOT_TRACK=true python3 listings/email-provider/measure.py

mod helpers;

mod real_provider;
mod stubbed_provider;

#[cfg(feature = "pact")]
mod consumer_pact;
#[cfg(feature = "pact")]
mod provider_verification;
