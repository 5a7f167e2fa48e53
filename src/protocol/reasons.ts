/**
 * Typed outcomes. A misbehaving peer never throws into the driver: its message is rejected
 * (RejectReason) or the session aborts (AbortReason), and the event carries the reason.
 * Modelled on fcp's secagg_server_enums.proto (e.g. NOT_ENOUGH_CLIENTS_REMAINING).
 */

/** Why one incoming message was dropped without changing the session. */
export type RejectReason =
  | 'malformed'             // not a valid v1 envelope, or a field fails validation
  | 'unsupported-version'
  | 'non-member'            // sender is not in the consortium
  | 'not-from-aggregator'   // a participant got an aggregator message from someone else
  | 'session-mismatch'      // binding or round of another session
  | 'unexpected-message'    // right session, wrong stage for this kind
  | 'duplicate'             // second message of this kind from the same peer
  | 'not-expected-sender'   // sender is not in the set expected at this stage (e.g. not in U2)
  | 'invalid-signature'     // a peer's own signature does not verify (aggregator side)
  | 'wrong-length'          // masked vector of the wrong length
  | 'invalid-share'         // an unmasking share for the wrong peer, of the wrong kind, or not signed by its dealer
  | 'invalid-key'           // an advertised key is a low-order point or another member's key
  | 'missing-boxes'         // share boxes do not cover every neighbour in U1

/** Why a session ended without a result. Nothing secret is released after an abort. */
export type AbortReason =
  | 'not-enough-peers'            // fewer than t live peers at some step (in a neighbourhood)
  | 'not-enough-signatures'       // fewer than t valid consistency signatures
  | 'not-enough-shares'           // some secret got fewer than t shares at unmasking
  | 'invalid-signature'           // a forwarded key or consistency signature does not verify
  | 'inconsistent-survivor-list'  // the unmask request's U3 differs from the one signed
  | 'both-shares-requested'       // the aggregator asked for b- and s-shares of one peer
  | 'invalid-key-list'            // duplicate keys, own keys altered, non-members listed
  | 'decryption-failed'           // a share box failed authentication
  | 'not-included'                // this participant's input is not in U3
  | 'reconstruction-mismatch'     // a rebuilt masking key does not match its public key
  | 'too-few-survivors'           // U3 smaller than c + 3 (or 3): the sum would expose inputs
  | 'invalid-share'               // a share box whose shares are not signed by their dealer
  | 'result-out-of-bounds'        // the unmasked sum breaks the weight or clip bounds
  | 'internal-error'              // an unexpected failure inside the machine, contained
  | 'aggregator-aborted'
  | 'timeout'

export type Stage = 'advertise' | 'share' | 'masked' | 'consistency' | 'unmask' | 'done' | 'aborted'

export const STAGES: readonly Stage[] = ['advertise', 'share', 'masked', 'consistency', 'unmask']
