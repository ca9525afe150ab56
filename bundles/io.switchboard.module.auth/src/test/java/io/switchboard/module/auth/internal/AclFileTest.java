package io.switchboard.module.auth.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AclFileTest {

    @TempDir
    Path dir;

    private AclFile acl(String text) throws Exception {
        Path file = dir.resolve("acl");
        Files.writeString(file, text);
        return AclFile.read(file);
    }

    @Test
    void anonymousUserAndPatternRulesAsMosquittoReadsThem() throws Exception {
        AclFile acl = acl("""
                # anonymous clients
                topic read public/#

                user alice
                topic readwrite alice/#
                topic write sensors/+/data
                topic deny alice/secret

                pattern readwrite clients/%c/#
                pattern read users/%u/inbox
                """);
        assertThat(acl.read(null, "anon", "public/news").allowed()).isTrue();
        assertThat(acl.write(null, "anon", "public/news").allowed()).isFalse();
        assertThat(acl.write("alice", "c1", "alice/x").allowed()).isTrue();
        assertThat(acl.read("alice", "c1", "public/news").allowed()).as("anonymous rules are not alice's").isFalse();
        assertThat(acl.write("alice", "c1", "sensors/7/data").allowed()).isTrue();
        assertThat(acl.read("alice", "c1", "sensors/7/data").allowed()).isFalse();
        AclFile.Decision denied = acl.write("alice", "c1", "alice/secret");
        assertThat(denied.allowed()).as("deny wins over the grant of alice/#").isFalse();
        assertThat(denied.because()).isEqualTo("acl:7 topic deny alice/secret");
        assertThat(acl.write("bob", "c2", "clients/c2/status").allowed()).isTrue();
        assertThat(acl.write("bob", "c2", "clients/c1/status").allowed()).isFalse();
        assertThat(acl.write(null, "c3", "clients/c3/status").allowed()).as("%c applies to anonymous clients").isTrue();
        assertThat(acl.read("bob", "c2", "users/bob/inbox").allowed()).isTrue();
        assertThat(acl.read(null, "c3", "users//inbox").allowed()).as("%u never applies without a user").isFalse();
        assertThat(acl.write("bob", "c2", "other").because()).isEqualTo("no ACL rule grants it");
    }

    @Test
    void aPlaceholderCannotSmuggleAWildcardOrALevel() throws Exception {
        AclFile acl = acl("pattern readwrite clients/%c/#\npattern read users/%u\n");
        assertThat(acl.write(null, "#", "clients/x/y").allowed()).isFalse();
        assertThat(acl.write(null, "+", "clients/x/y").allowed()).isFalse();
        assertThat(acl.read("a/b", "c", "users/a/b").allowed()).isFalse();
    }

    @Test
    void aSubscriptionMustBeCoveredByAReadRule() throws Exception {
        AclFile acl = acl("user alice\ntopic read a/#\ntopic read b/+/c\ntopic deny a/private/#\n");
        assertThat(acl.subscribe("alice", "c", "a/#").allowed()).isTrue();
        assertThat(acl.subscribe("alice", "c", "a/x/+").allowed()).isTrue();
        assertThat(acl.subscribe("alice", "c", "b/1/c").allowed()).isTrue();
        assertThat(acl.subscribe("alice", "c", "b/+/c").allowed()).isTrue();
        assertThat(acl.subscribe("alice", "c", "b/#").allowed()).as("wider than b/+/c").isFalse();
        assertThat(acl.subscribe("alice", "c", "#").allowed()).isFalse();
        assertThat(acl.subscribe("alice", "c", "a/private/x").allowed()).isFalse();
        // a/# is allowed as a whole; the denied topics inside it are held back at delivery
        assertThat(acl.read("alice", "c", "a/private/x").allowed()).isFalse();
    }

    @Test
    void coversFollowsTheWildcards() {
        assertThat(AclFile.covers("#", "a/b")).isTrue();
        assertThat(AclFile.covers("a/#", "a")).isTrue();
        assertThat(AclFile.covers("a/+", "a/#")).isFalse();
        assertThat(AclFile.covers("+/b", "x/b")).isTrue();
        assertThat(AclFile.covers("a/b", "a/b/c")).isFalse();
        assertThat(AclFile.covers("#", "$SYS/#")).isFalse();
        assertThat(AclFile.covers("$SYS/#", "$SYS/broker/uptime")).isTrue();
    }

    @Test
    void aBadLineIsNamedWithItsFileAndNumber() throws Exception {
        Path file = dir.resolve("acl");
        Files.writeString(file, "user alice\ntopic read a/#\ntopik read b\n");
        assertThatThrownBy(() -> AclFile.read(file)).isInstanceOf(AuthFileException.class)
                .hasMessage(file + ":3: unknown keyword 'topik' (expected topic, user or pattern)");
        Files.writeString(file, "topic raed a/#\n");
        assertThatThrownBy(() -> AclFile.read(file)).hasMessageStartingWith(file + ":1: unknown access 'raed'");
        Files.writeString(file, "topic read a/#/b\n");
        assertThatThrownBy(() -> AclFile.read(file)).hasMessageStartingWith(file + ":1: 'a/#/b' is not a valid topic filter");
    }
}
