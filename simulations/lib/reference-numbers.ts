/**
 * Published numbers the studies compare against, and the project's goals for them.
 * Bonawitz et al., "Practical Secure Aggregation for Privacy-Preserving Machine Learning",
 * CCS 2017: the server's running time at 500 users rose from ~2 s at 0 % dropout to ~62 s
 * at 10 % (complete graph, 100,000 entries), and a user sent 1.73× its raw input at 2^10
 * users, 2^20 entries of 16 bits.
 */
export const BONAWITZ_SERVER_SECONDS = { noDropout: 2, tenPercentDropout: 62 } as const
export const BONAWITZ_DROPOUT_FACTOR = BONAWITZ_SERVER_SECONDS.tenPercentDropout / BONAWITZ_SERVER_SECONDS.noDropout
export const BONAWITZ_EXPANSION = { factor: 1.73, users: 1024, entries: 2 ** 20, bitsPerEntry: 16 } as const

/** The project's goals: SecAgg+ at most doubles the aggregator's time; a peer sends ≤ 1.05× its input. */
export const DROPOUT_FACTOR_GOAL = 2
export const EXPANSION_GOAL = 1.05
