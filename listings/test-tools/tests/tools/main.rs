//! One test binary for the crate: each file in this folder is a module.

// OUTPUT: /listings/test-tools/output/all-tests.txt $ cargo test \
//   -p test-tools -- --test-threads 1
// OUTPUT: /listings/test-tools/output/filter.txt $ cargo test \
//   -p test-tools --test tools runtimes -- --test-threads 1
// OUTPUT: /listings/test-tools/output/nextest.txt $ cargo nextest run \
//   -p test-tools --test-threads 1 2>&1 \
//   | sed -E 's/run ID [0-9a-f-]+/run ID …/; s/\[ *[0-9.]+s\]/[N.NNNs]/'

mod outcomes;
mod output;
mod runtimes;
mod slow;
mod test_first;
