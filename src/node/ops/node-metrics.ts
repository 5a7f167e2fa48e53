/**
 * The node's Prometheus metrics (prom-client), fed by the monitor as things happen. Label
 * values come from bounded sets only — outcome and reason kinds (reason-kinds.ts), roles,
 * protocol stages, and member peer ids of the consortium file (tens of members) — so the
 * number of time series is fixed by the consortium, not by what peers send. docs/CLI.md lists
 * every metric.
 */
import { Counter, Gauge, Histogram } from 'prom-client'
import type { Registry } from 'prom-client'
import type { MonitorListener } from './node-monitor.ts'

/** Stage durations: sub-second loopback stages up to a masked stage that covers local training. */
const STAGE_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600]

/** Registers the node's metrics in `registry`; the returned listener updates them. */
export function nodeMetrics (registry: Registry, otherMembers: number): MonitorListener {
  const registers = [registry]
  const rounds = new Counter({ name: 'secagg_rounds_total', help: 'Rounds ended on this node, by outcome (completed, skipped, aborted, late-result) and reason kind', labelNames: ['outcome', 'reason'], registers })
  const failovers = new Counter({ name: 'secagg_failovers_total', help: 'Attempts this node left for the next aggregator, by reason kind', labelNames: ['reason'], registers })
  const aborts = new Counter({ name: 'secagg_session_aborts_total', help: 'Sessions that ended without a result here, by role and typed abort reason', labelNames: ['role', 'reason'], registers })
  const dropouts = new Counter({ name: 'secagg_dropouts_total', help: 'Members missing from a session this node aggregated, by the stage they were lost at', labelNames: ['stage', 'member'], registers })
  const stages = new Histogram({ name: 'secagg_stage_duration_seconds', help: 'Time spent in each protocol stage, by role', labelNames: ['role', 'stage'], buckets: STAGE_BUCKETS, registers })
  const bytes = new Counter({ name: 'secagg_frame_bytes_total', help: 'Bytes of /secagg/1.0.0 frames, by direction and member', labelNames: ['direction', 'member'], registers })
  const frames = new Counter({ name: 'secagg_frames_total', help: '/secagg/1.0.0 frames, by direction and member', labelNames: ['direction', 'member'], registers })
  const connected = new Gauge({ name: 'secagg_connected_members', help: 'Other consortium members this node has a connection to', registers })
  const members = new Gauge({ name: 'secagg_other_members', help: 'Other members in the consortium file', registers })
  const round = new Gauge({ name: 'secagg_round', help: 'The round this node is in (or last began)', registers })
  let accuracy: Gauge | undefined
  members.set(otherMembers)
  connected.set(0)
  rounds.inc({ outcome: 'completed', reason: 'none' }, 0)
  return {
    roundEnded: (outcome, reason) => rounds.inc({ outcome, reason }),
    roundStarted: (r) => round.set(r),
    failover: (reason) => failovers.inc({ reason }),
    sessionAborted: (role, reason) => aborts.inc({ role, reason }),
    dropout: (stage, member) => dropouts.inc({ stage, member }),
    stageTimed: (role, stage, seconds) => stages.observe({ role, stage }, seconds),
    connectedChanged: (count) => connected.set(count),
    frame: (direction, member, n) => { bytes.inc({ direction, member }, n); frames.inc({ direction, member }) },
    validation: (a) => {
      // Registered on the first value: a vector-sum node has no model, and a 0 would read as a score.
      accuracy ??= new Gauge({ name: 'secagg_validation_accuracy', help: 'Train task: the global model\'s accuracy on this member\'s validation split after the last applied round', registers })
      accuracy.set(a)
    }
  }
}
