/**
 * Splits a serialized google.protobuf.FileDescriptorSet (`repeated FileDescriptorProto file = 1`)
 * into the raw bytes of each file. Reflection serves these bytes as buf compiled them; going
 * through proto-loader instead re-encodes them via protobufjs and loses service definitions.
 */
export function splitFileDescriptorSet(set: Uint8Array): Uint8Array[] {
  const files: Uint8Array[] = [];
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = set[pos++];
      if (byte === undefined) throw new Error("truncated FileDescriptorSet");
      result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return result;
      shift += 7;
    }
  };
  while (pos < set.length) {
    const tag = varint();
    if (tag !== ((1 << 3) | 2)) throw new Error(`unexpected field tag ${tag} in FileDescriptorSet`);
    const length = varint();
    files.push(set.subarray(pos, pos + length));
    pos += length;
  }
  return files;
}
