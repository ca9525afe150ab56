package io.switchboard.cluster.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ClusterSettingsTest {

    private static Map<String, Object> config(Object... keysAndValues) {
        Map<String, Object> map = new HashMap<>();
        map.put("node.name", "a");
        map.put("members", "127.0.0.1:5701, 127.0.0.1:5702");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    @Test
    void readsAConfigurationFileWithLoopbackDefaults() {
        ClusterSettings settings = ClusterSettings.of(config("port", "5702"));
        assertThat(settings.nodeName()).isEqualTo("a");
        assertThat(settings.members()).containsExactly("127.0.0.1:5701", "127.0.0.1:5702");
        assertThat(settings.host()).isEqualTo("127.0.0.1");
        assertThat(settings.port()).isEqualTo(5702);
        assertThat(settings.backupCount()).isEqualTo(1);
        assertThat(settings.clusterName()).isEqualTo("switchboard");
    }

    @Test
    void membersMayBeAList() {
        assertThat(ClusterSettings.of(config("members", new String[] {"h1:1", "h2:2,h3:3"})).members())
                .containsExactly("h1:1", "h2:2", "h3:3");
        assertThat(ClusterSettings.of(config("members", List.of("[::1]:5701"))).members()).containsExactly("[::1]:5701");
    }

    @Test
    void eachBadValueIsRefusedByItsPropertyName() {
        assertThatThrownBy(() -> ClusterSettings.of(config("node.name", ""))).hasMessageStartingWith("node.name is missing");
        assertThatThrownBy(() -> ClusterSettings.of(config("node.name", "a b"))).hasMessageStartingWith("node.name 'a b'");
        assertThatThrownBy(() -> ClusterSettings.of(config("members", " "))).hasMessageStartingWith("members is missing");
        assertThatThrownBy(() -> ClusterSettings.of(config("members", "host"))).hasMessageStartingWith("members: 'host'");
        assertThatThrownBy(() -> ClusterSettings.of(config("members", "h:70000"))).hasMessageStartingWith("members: 'h:70000'");
        assertThatThrownBy(() -> ClusterSettings.of(config("port", "x"))).hasMessageStartingWith("port 'x'");
        assertThatThrownBy(() -> ClusterSettings.of(config("port", "0"))).hasMessageStartingWith("port '0'");
        assertThatThrownBy(() -> ClusterSettings.of(config("backup.count", "7"))).hasMessageStartingWith("backup.count '7'");
        assertThatThrownBy(() -> ClusterSettings.of(config("backup.count", "one"))).hasMessageStartingWith("backup.count 'one'");
        assertThatThrownBy(() -> ClusterSettings.of(config("cluster.name", "a/b"))).hasMessageStartingWith("cluster.name 'a/b'");
    }
}
