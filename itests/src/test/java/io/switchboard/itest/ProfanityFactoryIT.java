package io.switchboard.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;

import io.switchboard.api.admin.ModuleInfo;
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
import org.osgi.service.cm.Configuration;

/**
 * Two factory configurations of the profanity module are two instances, each with its own word list,
 * mode and ranking, and both act on the same message in ranking order.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ProfanityFactoryIT extends SwitchboardTestSupport {

    @Test
    public void twoInstancesWithTheirOwnWordsBothMaskTheSameMessage() throws Exception {
        Inbox inbox = subscriber("fac-sub", "fac/#");
        ClientSession publisher = publisher("fac-pub");
        String one = awaitModuleOf(factoryConfiguration(PROFANITY_PID, "one", Map.of(
                "words", new String[] {"darn"}, "mode", "MASK", Constants.SERVICE_RANKING, 20)).getPid());
        String two = awaitModuleOf(factoryConfiguration(PROFANITY_PID, "two", Map.of(
                "words", new String[] {"heck"}, "mode", "MASK", "mask", "#", Constants.SERVICE_RANKING, 10)).getPid());
        awaitMessageChain(List.of(one, two));

        PublishResult result = publish(publisher, "fac/1", "darn, heck, ok");
        assertTrue("routed: " + result, result.routed());
        assertEquals("each instance masked its own word with its own mask", "****, ####, ok",
                inbox.awaitTopic("fac/1").text());

        ModuleInfo first = module(one).orElseThrow();
        ModuleInfo second = module(two).orElseThrow();
        assertTrue(one + " changed the message: " + first.counters(), first.counters().replaces() >= 1);
        assertTrue(two + " changed the message: " + second.counters(), second.counters().replaces() >= 1);
        assertEquals("two instances of one bundle", first.bundle(), second.bundle());
        assertTrue("distinct services", first.serviceId() != second.serviceId());
    }

    @Test
    public void eachInstanceHasItsOwnRankingAndMode() throws Exception {
        Inbox inbox = subscriber("rank-sub", "rank/#");
        ClientSession publisher = publisher("rank-pub");
        Configuration maskerConfiguration = factoryConfiguration(PROFANITY_PID, "masker", Map.of(
                "words", new String[] {"darn"}, "mode", "MASK", Constants.SERVICE_RANKING, 20));
        String masker = awaitModuleOf(maskerConfiguration.getPid());
        String consumer = awaitModuleOf(factoryConfiguration(PROFANITY_PID, "consumer", Map.of(
                "words", new String[] {"darn"}, "mode", "CONSUME", Constants.SERVICE_RANKING, 10)).getPid());
        awaitMessageChain(List.of(masker, consumer));

        // the masker runs first: the consumer never sees the word
        assertTrue(publish(publisher, "rank/1", "darn it").routed());
        assertEquals("**** it", inbox.awaitTopic("rank/1").text());

        // the masker moves behind the consumer: now the consumer sees the word first
        update(maskerConfiguration, Map.of(Constants.SERVICE_RANKING, 5));
        awaitMessageChain(List.of(consumer, masker));
        PublishResult consumed = publish(publisher, "rank/2", "darn it");
        assertFalse("consumed by " + consumer + ": " + consumed, consumed.routed());
        assertTrue("the reason names " + consumer + ": " + consumed.reason(), consumed.reason().contains(consumer));
        // the same publisher's next message arrives, the consumed one never did
        assertTrue(publish(publisher, "rank/3", "fine").routed());
        inbox.awaitTopic("rank/3");
        assertEquals("rank/2 delivered", List.of(), inbox.onTopic("rank/2"));
    }
}
