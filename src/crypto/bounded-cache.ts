/**
 * A small memo for deterministic results over public inputs only (parsed public keys,
 * signature checks): every member verifies the same key list and consistency signatures, so
 * in the simulator — N members in one process — each check would otherwise run N times.
 * Never used for anything derived from a secret. Cleared when full, so memory stays bounded.
 */
export class BoundedCache<V> {
  private readonly map = new Map<string, V>()
  constructor (private readonly capacity: number) {}

  get (key: string, make: () => V): V {
    const hit = this.map.get(key)
    if (hit !== undefined) return hit
    const value = make()
    if (this.map.size >= this.capacity) this.map.clear()
    this.map.set(key, value)
    return value
  }
}
