use super::*;

fn src(text: &str) -> SourceFile {
    SourceFile::new("t.yaml", text)
}

#[test]
fn smoke() {
    let f = src("tenant: t\n");
    assert!(load(&f, &Limits::default()).is_ok());
}

#[test]
fn sizes() {
    eprintln!(
        "user {} group {} ev {} scalar {} tagkind {}",
        std::mem::size_of::<UserDocument>(),
        std::mem::size_of::<GroupDocument>(),
        std::mem::size_of::<Ev<'_>>(),
        std::mem::size_of::<Scalar<'_>>(),
        std::mem::size_of::<TagKind>()
    );
}
