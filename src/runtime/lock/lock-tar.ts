/**
 * The build context of the lock image: a tar archive holding one Dockerfile (`FROM scratch` plus a
 * label: an image with no layer, built without network). Written by hand: one 512-byte header, the
 * file padded to 512 bytes, two zero blocks.
 */
const DOCKERFILE = "FROM scratch\nLABEL io.flotilla.lock=image\n";

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, "0") + "\0";
}

export function lockTar(): Buffer {
  const body = Buffer.from(DOCKERFILE, "utf8");
  const header = Buffer.alloc(512, 0);
  header.write("Dockerfile", 0, "utf8");
  header.write(octal(0o644, 8), 100, "ascii"); // mode
  header.write(octal(0, 8), 108, "ascii"); // uid
  header.write(octal(0, 8), 116, "ascii"); // gid
  header.write(octal(body.length, 12), 124, "ascii"); // size
  header.write(octal(0, 12), 136, "ascii"); // mtime
  header.write("        ", 148, "ascii"); // checksum placeholder (spaces while summing)
  header.write("0", 156, "ascii"); // regular file
  header.write("ustar\0", 257, "ascii");
  header.write("00", 263, "ascii");
  let sum = 0;
  for (const b of header) sum += b;
  header.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, "ascii");
  const pad = Buffer.alloc((512 - (body.length % 512)) % 512, 0);
  return Buffer.concat([header, body, pad, Buffer.alloc(1024, 0)]);
}
