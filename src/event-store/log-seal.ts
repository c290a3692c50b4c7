import { createHash, hash } from 'node:crypto';
import { canonicalJson } from '../common/canonical-json';

/**
 * A seal of the global log: how many events it held up to a position, and a Merkle root
 * over their chain digests in log order (RFC 6962 tree hash: leaves hashed with a 0x00
 * prefix, inner nodes with 0x01). Seals form a chain of their own through
 * `previousSealDigest`. An auditor who keeps one seal outside the service can later prove
 * that nothing before it changed: a rewrite of any event, a removed or inserted event,
 * two events swapped, or a whole stream deleted all change the root at that count.
 *
 * The root and the count say nothing of the store's positions, so a log copied to
 * another store (SQLite to EventStoreDB) has the same roots at the same counts; `position`
 * is the store's own, checked only against the store that wrote the seal.
 */
export interface Seal {
  /** 1, 2, 3... with no gap. */
  readonly sequence: number;
  /** Position of the last event the seal covers. */
  readonly position: number;
  /** How many events of the log the seal covers (every one up to `position`). */
  readonly count: number;
  readonly merkleRoot: string;
  /** Roots of the tree's perfect subtrees, largest first: the next seal continues from them without reading the log again. */
  readonly frontier: readonly string[];
  /** Null for the first seal. */
  readonly previousSealDigest: string | null;
  /** When the seal was made (ISO 8601 UTC, ms). */
  readonly sealedAt: string;
  /** SHA-256 over the canonical JSON of every field above. */
  readonly digest: string;
}

export type UnsignedSeal = Omit<Seal, 'digest'>;

export function sealDigest(seal: UnsignedSeal): string {
  const { sequence, position, count, merkleRoot, frontier, previousSealDigest, sealedAt } = seal;
  return createHash('sha256')
    .update(canonicalJson({ sequence, position, count, merkleRoot, frontier, previousSealDigest, sealedAt }))
    .digest('hex');
}

export function makeSeal(fields: UnsignedSeal): Seal {
  return { ...fields, digest: sealDigest(fields) };
}

/**
 * Leaves and nodes are hashed in one shot from a buffer filled in place: a Hash object per
 * leaf and per node (two per event on average) cost more than the hashing itself. Both are
 * synchronous, so one buffer each serves every tree.
 */
const leafInput = Buffer.alloc(33);
const nodeInput = Buffer.alloc(65);

function leaf(digestHex: string): Buffer {
  if (digestHex.length !== 64) return hash('sha256', Buffer.concat([Buffer.from([0]), Buffer.from(digestHex, 'hex')]), 'buffer');
  leafInput[0] = 0;
  // Written as Buffer.from would decode it: a digest that is not hex stops at its first bad pair.
  const written = leafInput.write(digestHex, 1, 'hex');
  return hash('sha256', leafInput.subarray(0, 1 + written), 'buffer');
}

function node(left: Buffer, right: Buffer): Buffer {
  if (left.length !== 32 || right.length !== 32) return hash('sha256', Buffer.concat([Buffer.from([1]), left, right]), 'buffer');
  nodeInput[0] = 1;
  left.copy(nodeInput, 1);
  right.copy(nodeInput, 33);
  return hash('sha256', nodeInput, 'buffer');
}

/**
 * An append-only Merkle tree kept as its right edge (one node per set bit of the count):
 * O(1) amortized per event, O(log n) for a root, so sealing never rereads the log.
 */
export class MerkleLog {
  private constructor(
    private size: number,
    private readonly edge: Buffer[],
  ) {}

  static empty(): MerkleLog {
    return new MerkleLog(0, []);
  }

  /** Continues the tree a seal describes. */
  static fromSeal(seal: Pick<Seal, 'count' | 'frontier'>): MerkleLog {
    const expected = popCount(seal.count);
    if (seal.frontier.length !== expected) throw new RangeError(`a frontier for ${seal.count} events has ${expected} nodes, not ${seal.frontier.length}`);
    return new MerkleLog(seal.count, seal.frontier.map((hex) => Buffer.from(hex, 'hex')));
  }

  get count(): number {
    return this.size;
  }

  /** Adds an event's chain digest (hex) as the next leaf. */
  add(digestHex: string): void {
    let current: Buffer = leaf(digestHex);
    // One merge per trailing 1 bit of the count (division, not >>, past 2^31 events).
    for (let n = this.size; n % 2 === 1; n = Math.floor(n / 2)) current = node(this.edge.pop()!, current);
    this.edge.push(current);
    this.size += 1;
  }

  root(): string {
    if (this.edge.length === 0) return createHash('sha256').digest('hex');
    let acc: Buffer = this.edge[this.edge.length - 1];
    for (let i = this.edge.length - 2; i >= 0; i--) acc = node(this.edge[i], acc);
    return acc.toString('hex');
  }

  frontier(): string[] {
    return this.edge.map((b) => b.toString('hex'));
  }
}

function popCount(n: number): number {
  let bits = 0;
  for (let v = n; v > 0; v = Math.floor(v / 2)) bits += v % 2;
  return bits;
}
