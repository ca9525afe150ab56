package io.switchboard.module.ratelimit.internal;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import io.switchboard.api.MessageModule;
import io.switchboard.module.ratelimit.internal.RateLimitModule.BucketView;

/**
 * The operator's command, scope {@code ratelimit}: {@code ratelimit:buckets} lists the buckets, the
 * emptiest (the clients and topics being limited) first, or the fullest with {@code --fullest}.
 */
@Component(service = RateLimitCommands.class)
@GogoCommand(scope = "ratelimit", function = "buckets")
public class RateLimitCommands {

    /** The rate limit module of this bundle, when it is configured. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            target = "(component.name=" + RateLimitModule.PID + ")")
    volatile MessageModule module;

    @Descriptor("lists the token buckets, emptiest first: kind, client or topic filter, limit, tokens left, passed, refused")
    public String buckets(
            @Descriptor("how many buckets to show (default 20)") @Parameter(names = {"-n", "--top"}, absentValue = "20") int top,
            @Descriptor("fullest first instead") @Parameter(names = {"-f", "--fullest"}, absentValue = "false", presentValue = "true") boolean fullest) {
        if (top < 1) {
            throw new IllegalArgumentException("--top must be at least 1, got " + top);
        }
        MessageModule current = module;
        if (!(current instanceof RateLimitModule limiter) || limiter.settings() == null) {
            throw new IllegalStateException("the rate limit is not configured: write configadmin/" + RateLimitModule.PID + ".cfg");
        }
        List<BucketView> buckets = limiter.buckets();
        Comparator<BucketView> order = Comparator.comparingDouble(b -> b.tokens() / b.limit().burst());
        buckets.sort((fullest ? order.reversed() : order).thenComparing(BucketView::key));
        return format(limiter.settings(), buckets, top, fullest);
    }

    static String format(RateLimitSettings settings, List<BucketView> buckets, int top, boolean fullest) {
        StringBuilder out = new StringBuilder();
        out.append("clients: ").append(settings.clientLimit() == null ? "unlimited" : settings.clientLimit())
                .append("; topic rules: ").append(settings.topicRules().size()).append('\n');
        if (buckets.isEmpty()) {
            return out.append("no buckets yet (a client's bucket appears with its first message)").toString();
        }
        List<BucketView> shown = buckets.subList(0, Math.min(top, buckets.size()));
        int keyWidth = "CLIENT/TOPIC".length();
        int limitWidth = "LIMIT".length();
        for (BucketView b : shown) {
            keyWidth = Math.max(keyWidth, b.key().length());
            limitWidth = Math.max(limitWidth, b.limit().toString().length());
        }
        String row = "%-6s  %-" + keyWidth + "s  %-" + limitWidth + "s  %10s  %10s  %10s%n";
        out.append(String.format(Locale.ROOT, row, "KIND", "CLIENT/TOPIC", "LIMIT", "TOKENS", "PASSED", "REFUSED"));
        for (BucketView b : shown) {
            out.append(String.format(Locale.ROOT, row, b.kind(), b.key(), b.limit(),
                    String.format(Locale.ROOT, "%.1f", b.tokens()), b.passed(), b.refused()));
        }
        out.append(shown.size()).append(" of ").append(buckets.size()).append(" bucket(s), ")
                .append(fullest ? "fullest" : "emptiest").append(" first");
        return out.toString();
    }
}
