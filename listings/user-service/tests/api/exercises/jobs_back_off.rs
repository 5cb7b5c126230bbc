//! Second exercise for "Jobs, queues and workers": the email the request
//! could not send is sent by the worker once its back-off is over.

mod solution;
mod starter;
