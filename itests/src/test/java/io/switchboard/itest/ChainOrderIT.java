package io.switchboard.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;

import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.Session;
import io.switchboard.api.Verdict;
import io.switchboard.api.broker.ClientSession;
import io.switchboard.api.broker.PublishResult;
import io.switchboard.itest.support.Inbox;
import io.switchboard.itest.support.SwitchboardTestSupport;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;

/**
 * The message chain follows {@code service.ranking} (highest first, ties: lower service id first) and
 * follows it live: when a registration's ranking changes, and when a module's configured
 * {@code service.ranking} changes through Configuration Admin.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ChainOrderIT extends SwitchboardTestSupport {

    /** The user property each recorder appends its name to. */
    private static final String TRAIL = "trail";

    /**
     * A module that appends {@code <name>} (or, with {@code notePayload}, {@code <name>:raw} or
     * {@code <name>:clean} by whether the payload still holds "darn") to the user property
     * {@value #TRAIL}: the message itself records the order the modules saw it.
     */
    private static MessageModule recorder(String name, boolean notePayload) {
        return new MessageModule() {
            @Override
            public Verdict onMessage(Message message, Session sender) {
                String entry = notePayload ? name + (message.payloadText().contains("darn") ? ":raw" : ":clean") : name;
                return Verdict.replace(message.toBuilder().userProperty(TRAIL, entry).build());
            }
        };
    }

    @Test
    public void chainFollowsServiceRankingAndReordersWhenARankingChanges() {
        Inbox inbox = subscriber("order-sub", "order/#");
        ClientSession publisher = publisher("order-pub");
        registerModule("rec-b", 200, recorder("rec-b", false), Map.of());
        registerModule("rec-a", 300, recorder("rec-a", false), Map.of());
        ServiceRegistration<MessageModule> c = registerModule("rec-c", 100, recorder("rec-c", false), Map.of());
        // same ranking as rec-c, registered later (higher service.id): after rec-c
        registerModule("rec-d", 100, recorder("rec-d", false), Map.of());

        List<String> expected = List.of("rec-a", "rec-b", "rec-c", "rec-d");
        awaitMessageChain(expected);
        assertEquals("the order messages see", expected, trailOf(inbox, publisher, "order/1"));

        setRanking(c, 400);
        List<String> reordered = List.of("rec-c", "rec-a", "rec-b", "rec-d");
        awaitMessageChain(reordered);
        assertEquals("the order messages see after rec-c's ranking became 400", reordered,
                trailOf(inbox, publisher, "order/2"));
        assertEquals("ModuleInfo.ranking of rec-c", 400, module("rec-c").orElseThrow().ranking());
    }

    @Test
    public void configuredRankingOfAProfanityInstanceReordersTheChainLive() throws Exception {
        Inbox inbox = subscriber("live-sub", "live/#");
        ClientSession publisher = publisher("live-pub");
        registerModule("rec-a", 300, recorder("rec-a", true), Map.of());
        registerModule("rec-b", 200, recorder("rec-b", true), Map.of());
        registerModule("rec-c", 100, recorder("rec-c", true), Map.of());
        Configuration profanity = factoryConfiguration(PROFANITY_PID, "order", Map.of(
                "words", new String[] {"darn"},
                "mode", "MASK",
                Constants.SERVICE_RANKING, 250));
        String pf = awaitModuleOf(profanity.getPid());

        awaitMessageChain(List.of("rec-a", pf, "rec-b", "rec-c"));
        Message first = publishAndReceive(inbox, publisher, "live/1", "darn it");
        assertEquals(List.of("rec-a:raw", "rec-b:clean", "rec-c:clean"), userProperties(first, TRAIL));
        assertEquals("masked by " + pf, "**** it", first.payloadText());

        update(profanity, Map.of(Constants.SERVICE_RANKING, 150));
        awaitMessageChain(List.of("rec-a", "rec-b", pf, "rec-c"));
        Message second = publishAndReceive(inbox, publisher, "live/2", "darn it");
        assertEquals(List.of("rec-a:raw", "rec-b:raw", "rec-c:clean"), userProperties(second, TRAIL));

        update(profanity, Map.of(Constants.SERVICE_RANKING, 50));
        awaitMessageChain(List.of("rec-a", "rec-b", "rec-c", pf));
        Message third = publishAndReceive(inbox, publisher, "live/3", "darn it");
        assertEquals(List.of("rec-a:raw", "rec-b:raw", "rec-c:raw"), userProperties(third, TRAIL));
        assertEquals("still masked, last", "**** it", third.payloadText());
        assertEquals("ModuleInfo.ranking of " + pf, 50, module(pf).orElseThrow().ranking());
    }

    /** Publishes a message and returns the recorders' trail it arrived with. */
    private List<String> trailOf(Inbox inbox, ClientSession publisher, String topic) {
        return userProperties(publishAndReceive(inbox, publisher, topic, "x"), TRAIL);
    }

    private Message publishAndReceive(Inbox inbox, ClientSession publisher, String topic, String payload) {
        PublishResult result = publish(publisher, topic, payload);
        assertTrue(topic + " routed: " + result, result.routed());
        return inbox.awaitTopic(topic).message();
    }
}
