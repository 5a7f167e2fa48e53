/** Typed errors of src/privacy; each message names the setting and the fix. */

/** The privacy section (or the --dp-* flags) is invalid. */
export class PrivacyConfigError extends Error {
  static override name = 'PrivacyConfigError'
  override name = 'PrivacyConfigError'
}

/** A round would take the ε spent past the budget: it must not start. */
export class PrivacyBudgetError extends Error {
  static override name = 'PrivacyBudgetError'
  override name = 'PrivacyBudgetError'
}
