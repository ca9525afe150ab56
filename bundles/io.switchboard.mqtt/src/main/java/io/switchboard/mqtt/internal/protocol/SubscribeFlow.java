package io.switchboard.mqtt.internal.protocol;

import static io.switchboard.mqtt.internal.protocol.MqttConnectionHandler.LOG;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.switchboard.api.Admission;
import io.switchboard.api.Subscription;

/**
 * SUBSCRIBE and UNSUBSCRIBE: each filter goes through the broker's subscribe chain (granted QoS at most
 * {@code maximum.qos}, refusals as SUBACK reason codes), MQTT 5 subscription options and identifiers,
 * and the SUBACK/UNSUBACK in its place among the connection's responses. Deliveries wait while a SUBACK
 * is pending, so retained messages follow their SUBACK.
 */
final class SubscribeFlow {

    private final MqttConnectionHandler connection;
    private final ProtocolSettings settings;
    private final ClientParameters client;
    private final OrderedResponses responses;

    SubscribeFlow(MqttConnectionHandler connection) {
        this.connection = connection;
        this.settings = connection.settings();
        this.client = connection.client();
        this.responses = connection.responses();
    }

    void onSubscribe(MqttSubscribeMessage m) {
        boolean v5 = client.v5;
        int packetId = m.variableHeader().messageId();
        int subscriptionId = 0;
        if (v5) {
            List<? extends MqttProperties.MqttProperty> ids = m.idAndPropertiesVariableHeader().properties()
                    .getProperties(MqttProperties.SUBSCRIPTION_IDENTIFIER);
            if (!ids.isEmpty()) {
                subscriptionId = (Integer) ids.get(0).value();
                if (ids.size() > 1 || subscriptionId <= 0 || subscriptionId > Subscription.MAX_IDENTIFIER) {
                    connection.closer().violation(Packets.PROTOCOL_ERROR, "invalid subscription identifier");
                    return;
                }
            }
        }
        List<MqttTopicSubscription> requested = m.payload().topicSubscriptions();
        if (requested.isEmpty()) {
            connection.closer().violation(Packets.PROTOCOL_ERROR, "SUBSCRIBE without topic filters");
            return;
        }
        MqttSession s = connection.session;
        List<CompletableFuture<Integer>> codes = new ArrayList<>(requested.size());
        List<String> reasons = new ArrayList<>();
        for (MqttTopicSubscription t : requested) {
            String filter = t.topicFilter();
            MqttSubscriptionOption option = t.option();
            String invalid = settings.topicLimitExceeded(filter);
            if (invalid == null) {
                invalid = TopicFilters.invalid(filter);
            }
            if (invalid != null) {
                synchronized (reasons) {
                    reasons.add("'" + TopicFilters.abbreviated(filter) + "': " + invalid);
                }
                codes.add(CompletableFuture.completedFuture(v5 ? Packets.TOPIC_FILTER_INVALID : Packets.UNSPECIFIED_ERROR));
                continue;
            }
            if (v5 && option.isNoLocal() && TopicFilters.isShared(filter)) {
                connection.closer().violation(Packets.PROTOCOL_ERROR, "no local on the shared subscription '" + filter + "'");
                return;
            }
            int qos = Math.min(option.qos().value(), settings.maximumQos());
            Subscription subscription = new Subscription(filter, qos, v5 && option.isNoLocal(),
                    v5 && option.isRetainAsPublished(), v5 ? option.retainHandling().value() : 0, subscriptionId);
            // recorded before the broker has it, so that the SUBACK, which waits for the store, finds it written
            if (!s.subscribedWithin(subscription, settings.limits().maxSubscriptions())) {
                synchronized (reasons) { // earlier filters' chain decisions may be adding theirs meanwhile
                    reasons.add("'" + TopicFilters.abbreviated(filter) + "': the session has its maximum of "
                            + settings.limits().maxSubscriptions() + " subscriptions (max.subscriptions)");
                }
                codes.add(CompletableFuture.completedFuture(v5 ? Packets.QUOTA_EXCEEDED : Packets.UNSPECIFIED_ERROR));
                continue;
            }
            CompletionStage<Admission> admitted;
            try {
                admitted = connection.clientSession.subscribe(subscription);
            } catch (RuntimeException e) {
                admitted = CompletableFuture.failedFuture(e);
            }
            codes.add(admitted.handle((admission, error) -> {
                if (error != null || admission.isRefused()) {
                    s.unsubscribed(filter);
                    Throwable cause = error == null ? null : Failures.unwrap(error);
                    synchronized (reasons) {
                        reasons.add("'" + TopicFilters.abbreviated(filter) + "': " + (cause != null ? Failures.describe(cause)
                                : admission.reason() != null ? admission.reason() : String.valueOf(admission.reasonCode())));
                    }
                    if (!v5) {
                        return Packets.UNSPECIFIED_ERROR;
                    }
                    if (cause instanceof IllegalArgumentException) {
                        return Packets.TOPIC_FILTER_INVALID;
                    }
                    return error != null ? Packets.UNSPECIFIED_ERROR : Packets.subAckCode(admission.reasonCode());
                }
                return qos;
            }).toCompletableFuture());
        }
        OrderedResponses.Response response = responses.reserve(-1);
        OutboundPublishFlow deliveries = connection.deliveries();
        deliveries.holdForSubAck();
        connection.requestStarted();
        // a persistent session's SUBACK follows the stored subscriptions: granted means it survives a crash
        CompletableFuture<Boolean> stored = CompletableFuture.allOf(codes.toArray(CompletableFuture[]::new))
                .thenCompose(v -> s.persistent() ? connection.protocol().written() : CompletableFuture.<Void>completedFuture(null))
                .handle((v, storeError) -> {
                    if (storeError != null) {
                        synchronized (reasons) {
                            reasons.add("the broker could not store the subscriptions: " + Failures.unwrap(storeError).getMessage());
                        }
                    }
                    return storeError == null;
                });
        whenAllDone(List.of(stored.thenApply(ok -> 0)), () -> {
            List<Integer> granted = new ArrayList<>(codes.size());
            for (CompletableFuture<Integer> c : codes) {
                granted.add(stored.getNow(false) ? c.getNow(Packets.UNSPECIFIED_ERROR) : Packets.UNSPECIFIED_ERROR);
            }
            String reason;
            synchronized (reasons) {
                reason = reasons.isEmpty() ? null : String.join("; ", reasons);
            }
            if (reason != null) {
                LOG.info("MQTT {}: subscriptions refused: {}", connection.who(), reason);
            }
            response.complete(Packets.subAck(packetId, granted, client.problemProperties(reason)),
                    deliveries::subAckWritten);
        });
    }

    void onUnsubscribe(MqttUnsubscribeMessage m) {
        int packetId = m.variableHeader().messageId();
        List<String> filters = m.payload().topics();
        if (filters.isEmpty()) {
            connection.closer().violation(Packets.PROTOCOL_ERROR, "UNSUBSCRIBE without topic filters");
            return;
        }
        List<CompletableFuture<Integer>> codes = new ArrayList<>(filters.size());
        for (String filter : filters) {
            if (TopicFilters.invalid(filter) != null) {
                codes.add(CompletableFuture.completedFuture(Packets.TOPIC_FILTER_INVALID));
                continue;
            }
            // forgotten now, not when the removal completes: a SUBSCRIBE right after records the filter again
            connection.session.unsubscribed(filter);
            CompletionStage<Boolean> removed;
            try {
                removed = connection.clientSession.unsubscribe(filter);
            } catch (RuntimeException e) {
                removed = CompletableFuture.failedFuture(e);
            }
            codes.add(removed.handle((existed, error) -> error != null ? Packets.UNSPECIFIED_ERROR
                    : existed ? Packets.SUCCESS : Packets.NO_SUBSCRIPTION_EXISTED).toCompletableFuture());
        }
        // the UNSUBACK keeps its place among the responses and is sent once every removal took effect
        OrderedResponses.Response response = responses.reserve(-1);
        connection.requestStarted();
        whenAllDone(codes, () -> {
            short[] reasonCodes = new short[codes.size()];
            for (int i = 0; i < reasonCodes.length; i++) {
                reasonCodes[i] = (short) (int) codes.get(i).getNow(Packets.UNSPECIFIED_ERROR);
            }
            response.complete(Packets.unsubAck(packetId, client.v5 ? reasonCodes : null, MqttProperties.NO_PROPERTIES),
                    null);
        });
    }

    /** Once every filter is decided: ends the request and, on the event loop, completes its response and flushes. */
    private void whenAllDone(List<CompletableFuture<Integer>> codes, Runnable completeResponse) {
        CompletableFuture.allOf(codes.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> connection.execute(() -> {
            connection.requestDone();
            completeResponse.run();
            responses.flush();
        }));
    }
}
