package io.switchboard.cluster.internal.forwarding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

class ForwardingSettingsTest {

    @Test
    void theTimeoutIsFiveSecondsUnlessConfigured() {
        assertThat(ForwardingSettings.of(Map.of()).timeoutMillis()).isEqualTo(5000);
        assertThat(ForwardingSettings.of(Map.of("forward.timeout.ms", " 250 ")).timeoutMillis()).isEqualTo(250);
    }

    @Test
    void aBadTimeoutIsRefusedByName() {
        for (String bad : new String[] {"x", "0", "99", "600001"}) {
            assertThatThrownBy(() -> ForwardingSettings.of(Map.of("forward.timeout.ms", bad)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("forward.timeout.ms '" + bad + "'");
        }
    }
}
