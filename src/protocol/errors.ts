/** Local misuse of the protocol API (bad configuration or input): thrown, typed. */

/** A session configuration is invalid; the message names the field and the fix. */
export class ProtocolConfigError extends Error {
  static override name = 'ProtocolConfigError'
  override name = 'ProtocolConfigError'
}

/**
 * The configured clip range, member count and weights could make the n-way sum wrap
 * around the modulus, or leave too little precision. Refused rather than clipped silently.
 */
export class OverflowRiskError extends Error {
  static override name = 'OverflowRiskError'
  override name = 'OverflowRiskError'
}

/** An input vector or weight does not fit the session (length, NaN, weight range). */
export class InvalidInputError extends Error {
  static override name = 'InvalidInputError'
  override name = 'InvalidInputError'
}

/** A state-machine method was called in a state where it makes no sense. */
export class InvalidStateError extends Error {
  static override name = 'InvalidStateError'
  override name = 'InvalidStateError'
}
