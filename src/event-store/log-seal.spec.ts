import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { makeSeal, MerkleLog, sealDigest } from './log-seal';
import { chainDigest, linkDigest } from './stream-digest';
import { canonicalJson } from '../common/canonical-json';

const sha = (...parts: Buffer[]) => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest();

/** RFC 6962 section 2.1, written as the RFC states it (recursive split at the largest power of two below n). */
function naiveRoot(leaves: readonly string[]): string {
  const mth = (d: readonly string[]): Buffer => {
    if (d.length === 0) return sha();
    if (d.length === 1) return sha(Buffer.from([0]), Buffer.from(d[0], 'hex'));
    let k = 1;
    while (k * 2 < d.length) k *= 2;
    return sha(Buffer.from([1]), mth(d.slice(0, k)), mth(d.slice(k)));
  };
  return mth(leaves).toString('hex');
}

const arbDigest = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));

describe('MerkleLog', () => {
  it('gives the RFC 6962 tree hash for every size, and continues from a seal as if never interrupted', () => {
    fc.assert(
      fc.property(fc.array(arbDigest, { maxLength: 70 }), fc.nat(70), (leaves, cut) => {
        const whole = MerkleLog.empty();
        leaves.forEach((d) => whole.add(d));
        const at = Math.min(cut, leaves.length);
        const first = MerkleLog.empty();
        leaves.slice(0, at).forEach((d) => first.add(d));
        const resumed = MerkleLog.fromSeal({ count: first.count, frontier: first.frontier() });
        leaves.slice(at).forEach((d) => resumed.add(d));

        expect(whole.root()).toBe(naiveRoot(leaves));
        expect(resumed.root()).toBe(whole.root());
        expect(whole.count).toBe(leaves.length);
      }),
    );
  });

  it('gives the same tree hash for damaged digests (not hex, too short, too long) as the recipe decoding them with Buffer.from', () => {
    const damaged = fc.oneof(arbDigest, fc.string({ maxLength: 80 }), fc.stringMatching(/^[0-9a-fxz]{60,70}$/));
    fc.assert(
      fc.property(fc.array(damaged, { maxLength: 20 }), (leaves) => {
        const log = MerkleLog.empty();
        leaves.forEach((d) => log.add(d));
        expect(log.root()).toBe(naiveRoot(leaves));
      }),
    );
  });

  it('changes its root when two leaves swap, one is dropped or one is added', () => {
    const leaves = Array.from({ length: 5 }, (_, i) => createHash('sha256').update(String(i)).digest('hex'));
    const root = (list: string[]) => naiveRoot(list);
    expect(new Set([root(leaves), root([leaves[1], leaves[0], ...leaves.slice(2)]), root(leaves.slice(1)), root([...leaves, leaves[0]])]).size).toBe(4);
  });

  it('refuses a frontier that does not fit the count', () => {
    expect(() => MerkleLog.fromSeal({ count: 3, frontier: ['00'.repeat(32)] })).toThrow(RangeError);
  });
});

describe('seal digest', () => {
  it('covers every field, so changing any one shows', () => {
    const seal = makeSeal({ sequence: 2, position: 2000, count: 2000, merkleRoot: 'a'.repeat(64), frontier: ['b'.repeat(64)], previousSealDigest: 'c'.repeat(64), sealedAt: '2026-06-01T12:00:00.000Z' });
    const changed = [{ sequence: 3 }, { position: 2001 }, { count: 1999 }, { merkleRoot: 'd'.repeat(64) }, { frontier: [] }, { previousSealDigest: null }, { sealedAt: '2026-06-01T12:00:01.000Z' }];

    for (const change of changed) expect(sealDigest({ ...seal, ...change })).not.toBe(seal.digest);
    expect(sealDigest(seal)).toBe(seal.digest);
  });
});

describe('the digest stored at write time', () => {
  it('equals the recipe recomputed from the envelope as read back, for any JSON data and metadata', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue()), fc.option(fc.constant('2026-03-14'), { nil: null }), (data, metadata, occurredOn) => {
        const readBack = { data: JSON.parse(JSON.stringify(data) ?? 'null'), metadata: JSON.parse(JSON.stringify(metadata)) };
        const envelope = { streamId: 'patient-SYN-1', revision: 3, eventId: 'e', type: 'T', occurredOn, recordedAt: '2026-06-01T12:00:00.000Z' };

        const written = linkDigest('prev', { ...envelope, canonicalData: canonicalJson(data ?? null), canonicalMetadata: canonicalJson(metadata) });

        expect(written).toBe(chainDigest('prev', { ...envelope, ...readBack }));
      }),
    );
  });
});
