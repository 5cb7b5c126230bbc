//! (being written by helper D)

pub fn run(_: &[String]) -> anyhow::Result<()> {
    anyhow::bail!("not written yet")
}
