//! Every file the image fuzz target found a problem with (`fuzz/regressions/image/`)
//! goes through the upload and the profile-picture pipelines again: no panic, no
//! failure of ours (`Encoding`), and refused or accepted as the file deserves.

use std::path::Path;

use blog::media::images::{self, ImageError};

#[test]
fn every_image_finding_stays_fixed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions/image");
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    inputs.retain(|path| path.is_file() && path.extension().is_none_or(|e| e != "md"));
    inputs.sort();
    assert!(
        !inputs.is_empty(),
        "no input files in {}: the image target's findings belong there",
        dir.display()
    );
    for path in inputs {
        let bytes = std::fs::read(&path).expect("a regression input is readable");
        for result in [
            images::upload(&bytes).map(|_| ()),
            images::avatar(&bytes).map(|_| ()),
        ] {
            assert!(
                !matches!(result, Err(ImageError::Encoding(_))),
                "{}: {result:?}",
                path.display()
            );
        }
    }
}

#[test]
fn a_gif_canvas_that_no_frame_paints_is_refused_before_any_pixel_is_made() {
    // The request fuzzer's first finding (a 746-byte GIF asking for 65344 × 207, 3 s in
    // the fuzzing build), made again from its header: a few bytes, megapixels of work.
    for name in [
        "image-hang-gif-canvas-65344x207",
        "image-hang-gif-canvas-6324x6324",
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz/regressions/image")
            .join(name);
        let bytes = std::fs::read(&path).expect("the finding is committed");
        assert!(bytes.len() < 64, "{name} is {} bytes", bytes.len());
        // Refused from the header: as a canvas no frame can paint, or (for the smaller
        // budget of a profile picture) as more memory than it may take.
        for result in [
            images::upload(&bytes).map(|_| ()),
            images::avatar(&bytes).map(|_| ()),
        ] {
            assert!(
                matches!(
                    result,
                    Err(ImageError::Corrupt | ImageError::NeedsTooMuchMemory { .. })
                ),
                "{name}: {result:?}"
            );
        }
    }
}
