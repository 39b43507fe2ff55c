fn main() -> Result<(), uapigen::Error> {
    uapigen::Builder::new()
        .schema("../../schema/iommu.toml")
        .schema("../../schema/iommufd.toml")
        .emit_rust()
        .emit_c()
        .compile()?;
    Ok(())
}
