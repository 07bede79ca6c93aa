// Decoding a photo upright on browsers without createImageBitmap's options bag (issue 27
// case 7). Used by public/photo-worker.js (importScripts) and by src/photos.js on the page
// (a <script> added when a photo is made there); a classic script that sets
// self.hoptacUpright = { decode, draw, release }.
//
// createImageBitmap(file, { imageOrientation: "from-image" }) is what every current browser
// does. Chrome before 112, Firefox before 111 and Safari before 16 (MDN's compatibility
// data) refuse the value "from-image" (a TypeError): there the image is decoded without
// options (or by an <img> on the page where createImageBitmap is missing), its EXIF
// Orientation (1–8) read with ExifReader, and it is turned upright by hand while drawing.
// Some of those decoders already turn it (Chrome's ImageBitmap and <img> since 81, Safari's
// <img> since 13.1), some do not: which one this is, is asked once per kind of decoder with
// the tiny JPEG below (2×1 pixels, Orientation 6: 1×2 when the decoder turned it), and for
// orientations 5–8 also read off the photo itself (its size against the stored size, from
// the JPEG's frame header), so a photo is never turned twice.
(function () {
  "use strict";

  // 2×1 pixels, EXIF Orientation 6 (scripts/photo-probe.mjs made it: Chromium's JPEG
  // encoder, the EXIF written by piexifjs).
  const PROBE = "/9j/4QAiRXhpZgAATU0AKgAAAAgAAQESAAMAAAABAAYAAAAAAAD/4AAQSkZJRgABAQAAAQABAAD/4gHYSUNDX1BST0ZJTEUAAQEAAAHIAAAAAAQwAABtbnRyUkdCIFhZWiAH4AABAAEAAAAAAABhY3NwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAQAA9tYAAQAAAADTLQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlkZXNjAAAA8AAAACRyWFlaAAABFAAAABRnWFlaAAABKAAAABRiWFlaAAABPAAAABR3dHB0AAABUAAAABRyVFJDAAABZAAAAChnVFJDAAABZAAAAChiVFJDAAABZAAAAChjcHJ0AAABjAAAADxtbHVjAAAAAAAAAAEAAAAMZW5VUwAAAAgAAAAcAHMAUgBHAEJYWVogAAAAAAAAb6IAADj1AAADkFhZWiAAAAAAAABimQAAt4UAABjaWFlaIAAAAAAAACSgAAAPhAAAts9YWVogAAAAAAAA9tYAAQAAAADTLXBhcmEAAAAAAAQAAAACZmYAAPKnAAANWQAAE9AAAApbAAAAAAAAAABtbHVjAAAAAAAAAAEAAAAMZW5VUwAAACAAAAAcAEcAbwBvAGcAbABlACAASQBuAGMALgAgADIAMAAxADb/2wBDAFA3PEY8MlBGQUZaVVBfeMiCeG5uePWvuZHI////////////////////////////////////////////////////2wBDAVVaWnhpeOuCguv/////////////////////////////////////////////////////////////////////////wAARCAABAAIDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAT/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFAEBAAAAAAAAAAAAAAAAAAAAAP/EABQRAQAAAAAAAAAAAAAAAAAAAAD/2gAMAwEAAhEDEQA/ALQAf//Z";

  function probeBlob() {
    const text = atob(PROBE);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return new Blob([bytes], { type: "image/jpeg" });
  }

  function sizeOf(image) {
    return image.naturalWidth !== undefined ? [image.naturalWidth, image.naturalHeight] : [image.width, image.height];
  }

  function release(image) {
    if (image && typeof image.close === "function") image.close();
  }

  // The page's decoder where createImageBitmap is missing: an <img> of the file.
  function decodeImg(blob) {
    return new Promise((ok, fail) => {
      const url = URL.createObjectURL(blob);
      const img = new Image();
      img.onload = () => {
        URL.revokeObjectURL(url);
        ok(img);
      };
      img.onerror = () => {
        URL.revokeObjectURL(url);
        fail(new Error("unreadable"));
      };
      img.src = url;
    });
  }

  const withOptions = (blob) => createImageBitmap(blob, { imageOrientation: "from-image" });
  const plainBitmap = (blob) => createImageBitmap(blob);

  // kind → Promise<boolean>: does this decoder turn the probe (Orientation 6) upright?
  // false when it throws (an options bag it refuses) or cannot read the probe.
  const turns = {};
  function decoderTurns(kind, decodeFn) {
    if (!turns[kind]) {
      turns[kind] = Promise.resolve()
        .then(() => decodeFn(probeBlob()))
        .then((image) => {
          const [w, h] = sizeOf(image);
          release(image);
          return w === 1 && h === 2;
        }, () => false);
    }
    return turns[kind];
  }

  function tagValue(tag) {
    if (!tag) return NaN;
    const v = Array.isArray(tag.value) ? tag.value[0] : tag.value;
    return typeof v === "number" ? v : Number(v);
  }

  // EXIF Orientation from ExifReader's tags (expanded: IFD0 is in `exif`); 1 when none.
  function orientationOf(tags) {
    const o = tagValue(tags && tags.exif && tags.exif.Orientation);
    return Number.isInteger(o) && o >= 1 && o <= 8 ? o : 1;
  }

  // The size as stored, before any turning: the JPEG frame header's (ExifReader's `file`
  // group), else EXIF PixelXDimension × PixelYDimension; null when neither is there.
  function storedSize(tags) {
    const f = (tags && tags.file) || {};
    const e = (tags && tags.exif) || {};
    for (const [w, h] of [[f["Image Width"], f["Image Height"]], [e.PixelXDimension, e.PixelYDimension]]) {
      const [x, y] = [tagValue(w), tagValue(h)];
      if (x > 0 && y > 0) return [x, y];
    }
    return null;
  }

  // Resolves to { image, width, height, orientation }: `width` × `height` is the upright
  // size, `orientation` what `draw` must still apply (1: the decoder did it). `tagsOf()`
  // resolves to ExifReader's expanded tags of `file` (or null); it is called only when the
  // browser lacks the options bag. Rejects with { noDecoder: true } in a worker without
  // createImageBitmap (the page must do it), or as the decoder does on an unreadable file.
  async function decode(file, tagsOf) {
    const hasBitmap = typeof createImageBitmap === "function";
    if (hasBitmap && (await decoderTurns("options", withOptions))) {
      const image = await withOptions(file);
      return { image, width: image.width, height: image.height, orientation: 1 };
    }
    let kind, plain;
    if (hasBitmap) [kind, plain] = ["bitmap", plainBitmap];
    else if (typeof document !== "undefined") [kind, plain] = ["img", decodeImg];
    else throw Object.assign(new Error("no image decoder in this worker"), { noDecoder: true });
    const [image, tags] = await Promise.all([
      plain(file),
      Promise.resolve().then(tagsOf).catch(() => null),
    ]);
    const [w, h] = sizeOf(image);
    let orientation = orientationOf(tags);
    if (orientation > 1) {
      const stored = storedSize(tags);
      let turned = null;
      if (orientation >= 5 && stored && stored[0] !== stored[1]) {
        if (w === stored[1] && h === stored[0]) turned = true;
        else if (w === stored[0] && h === stored[1]) turned = false;
      }
      if (turned === null) turned = await decoderTurns(kind, plain);
      if (turned) orientation = 1;
    }
    const swap = orientation >= 5;
    return { image, width: swap ? h : w, height: swap ? w : h, orientation };
  }

  // Draws `image` as stored onto `ctx`, turned by EXIF `orientation` so that it fills the
  // upright `width` × `height` (the standard transforms; 5–8 swap the sides).
  function draw(ctx, image, orientation, width, height) {
    const W = width, H = height;
    const m = {
      1: [1, 0, 0, 1, 0, 0],
      2: [-1, 0, 0, 1, W, 0],
      3: [-1, 0, 0, -1, W, H],
      4: [1, 0, 0, -1, 0, H],
      5: [0, 1, 1, 0, 0, 0],
      6: [0, 1, -1, 0, W, 0],
      7: [0, -1, -1, 0, W, H],
      8: [0, -1, 1, 0, 0, H],
    }[orientation] || [1, 0, 0, 1, 0, 0];
    ctx.setTransform(m[0], m[1], m[2], m[3], m[4], m[5]);
    if (orientation >= 5) ctx.drawImage(image, 0, 0, H, W);
    else ctx.drawImage(image, 0, 0, W, H);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
  }

  self.hoptacUpright = { decode, draw, release };
})();
