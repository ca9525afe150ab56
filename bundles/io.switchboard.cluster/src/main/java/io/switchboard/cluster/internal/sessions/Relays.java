package io.switchboard.cluster.internal.sessions;

/**
 * What carries the messages of a session moving between two live nodes (docs/cluster.md): the sessions this node
 * let go of and relays for, the relayed messages it holds for sessions it takes, the routes the end of a move waits
 * for, and the markers that end it in each publisher's order.
 */
public record Relays(OutgoingRelays outgoing, IncomingRelays incoming, RouteView routes, MoveFlushes flushes) {
}
