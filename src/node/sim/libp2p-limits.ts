/**
 * The libp2p simulator's limits, apart from the simulator itself so the CLI can check flags
 * without loading libp2p (an in-memory run never needs it).
 */

/** All hosts share one thread and one process's file descriptors; larger swarms: the memory transport. */
export const MAX_LIBP2P_PEERS = 256
/** Real seconds per stage by default: loopback needs milliseconds, dropouts wait a deadline. */
export const DEFAULT_LIBP2P_STAGE_MS = 3_000
