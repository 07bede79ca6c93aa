// The photo worker (issue 17): makes a photo from the camera or the gallery ready to keep
// on the tablet, off the page's main thread so the form stays responsive while it works:
// - turned upright (createImageBitmap honours the EXIF orientation: "from-image"; where
//   the browser refuses that option, /photo-upright.js turns it by its EXIF Orientation),
// - downscaled to a long side of at most `longSide` px (hoptac_core::photo::LONG_SIDE_PX),
// - re-encoded as JPEG, which drops every metadata the camera wrote,
// - named by the SHA-256 of the result (64 lowercase hex digits).
// The time taken and the position are read from the original's EXIF with ExifReader (npm
// `exifreader`, copied to /exif-reader.js by the build) and returned as fields the officer
// sees on the form and may remove; nothing else of the EXIF is kept.
//
// Message in:  { seq, file: File|Blob, longSide }
// Message out: { seq, ok: true, blob, hash, bytes, width, height, takenAt?, lat?, lon?, accuracy? }
//          or { seq, ok: false, error }   (the image could not be read)
//          or { seq, ok: false, error, onPage: true }   (no createImageBitmap in this worker:
//             the page makes the photo instead)
importScripts("/exif-reader.js", "/photo-upright.js");

const QUALITY = 0.85;

// ExifReader's tags of the original (null when it has none ExifReader can read).
async function readTags(file) {
  try {
    // EXIF sits in the first 64 KB of a JPEG: the rest of a 5 MB file is not read.
    return await ExifReader.load(file, { expanded: true, length: 128 * 1024 });
  } catch {
    return null;
  }
}

function readMeta(tags) {
  const out = {};
  if (!tags) return out;
  try {
    const exif = tags.exif || {};
    const when = exif.DateTimeOriginal || exif.DateTimeDigitized || (tags.file && tags.file.DateTime);
    const text = when && (when.description || when.value && when.value[0]);
    const m = typeof text === "string" && /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(text);
    if (m) {
      // A camera writes local time; without an offset in the EXIF, the time of Vietnam.
      const off = exif.OffsetTimeOriginal && exif.OffsetTimeOriginal.description;
      const zone = typeof off === "string" && /^[+-]\d{2}:\d{2}$/.test(off) ? off : "+07:00";
      const t = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${zone}`);
      if (Number.isFinite(t)) out.takenAt = t;
    }
    const gps = tags.gps || {};
    if (Number.isFinite(gps.Latitude) && Number.isFinite(gps.Longitude)
        && Math.abs(gps.Latitude) <= 90 && Math.abs(gps.Longitude) <= 180
        && !(gps.Latitude === 0 && gps.Longitude === 0)) {
      out.lat = gps.Latitude;
      out.lon = gps.Longitude;
      const err = exif.GPSHPositioningError || (tags.exif && tags.exif.GPSHPositioningError);
      const acc = err && Number(err.description);
      if (Number.isFinite(acc)) out.accuracy = acc;
    }
  } catch {
    // Tags of a shape not expected here: the photo is kept without time or place.
  }
  return out;
}

function hex(buf) {
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
}

self.onmessage = async (event) => {
  const { seq, file, longSide } = event.data;
  try {
    const tags = await readTags(file);
    const meta = readMeta(tags);
    const up = await hoptacUpright.decode(file, () => tags);
    const scale = Math.min(1, longSide / Math.max(up.width, up.height));
    const width = Math.max(1, Math.round(up.width * scale));
    const height = Math.max(1, Math.round(up.height * scale));
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext("2d");
    ctx.imageSmoothingQuality = "high";
    hoptacUpright.draw(ctx, up.image, up.orientation, width, height);
    hoptacUpright.release(up.image);
    const blob = await canvas.convertToBlob({ type: "image/jpeg", quality: QUALITY });
    const hash = hex(await crypto.subtle.digest("SHA-256", await blob.arrayBuffer()));
    self.postMessage({ seq, ok: true, blob, hash, bytes: blob.size, width, height, ...meta });
  } catch (err) {
    const onPage = Boolean(err && err.noDecoder);
    self.postMessage({ seq, ok: false, error: String((err && err.message) || err), ...(onPage ? { onPage } : {}) });
  }
};
