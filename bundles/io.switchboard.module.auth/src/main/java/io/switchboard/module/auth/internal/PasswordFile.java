package io.switchboard.module.auth.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * A password file in Mosquitto's format, one {@code user:hash} per line, as {@code mosquitto_passwd}
 * writes it: {@code $7$<iterations>$<salt>$<hash>} is PBKDF2-HMAC-SHA512 over the password, {@code $6$<salt>$<hash>}
 * (Mosquitto 1.6 and older) is SHA-512 of the password followed by the salt; salts and hashes in Base64.
 * Blank lines and lines starting with {@code #} are skipped. {@link #hash} writes what
 * {@code mosquitto_passwd} 2.0 writes (101 iterations, 12 bytes of salt), so each tool reads the other's files.
 */
final class PasswordFile {

    /** What {@code mosquitto_passwd} 2.0 uses; Mosquitto reads the count from each entry. */
    static final int ITERATIONS = 101;
    private static final int SALT_BYTES = 12;
    private static final int HASH_BYTES = 64;

    private record Entry(int iterations, byte[] salt, byte[] hash) {
    }

    private final Map<String, Entry> users;

    private PasswordFile(Map<String, Entry> users) {
        this.users = users;
    }

    /** An empty file: nobody can log in with a password. */
    static PasswordFile empty() {
        return new PasswordFile(Map.of());
    }

    /**
     * Reads {@code file}.
     *
     * @throws AuthFileException naming the file and the line that cannot be used, or why it cannot be read
     */
    static PasswordFile read(Path file) throws AuthFileException {
        List<String> lines = AuthRules.lines(file);
        Map<String, Entry> users = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new AuthFileException(file, i + 1, "expected user:hash");
            }
            String user = line.substring(0, colon);
            try {
                users.put(user, parse(line.substring(colon + 1)));
            } catch (IllegalArgumentException e) {
                throw new AuthFileException(file, i + 1, "user '" + user + "': " + e.getMessage());
            }
        }
        return new PasswordFile(Map.copyOf(users));
    }

    private static Entry parse(String hash) {
        String[] parts = hash.split("\\$", -1);
        Base64.Decoder b64 = Base64.getDecoder();
        if (parts.length == 5 && parts[0].isEmpty() && parts[1].equals("7")) {
            int iterations;
            try {
                iterations = Integer.parseInt(parts[2]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("the iteration count '" + parts[2] + "' is not a number");
            }
            if (iterations < 1) {
                throw new IllegalArgumentException("the iteration count must be at least 1");
            }
            return new Entry(iterations, b64.decode(parts[3]), b64.decode(parts[4]));
        }
        if (parts.length == 4 && parts[0].isEmpty() && parts[1].equals("6")) {
            return new Entry(0, b64.decode(parts[2]), b64.decode(parts[3]));
        }
        throw new IllegalArgumentException("not a $7$ (PBKDF2-SHA512) or $6$ (SHA-512) hash: use mosquitto_passwd or auth:passwd");
    }

    /** Whether {@code user} is in the file. */
    boolean has(String user) {
        return users.containsKey(user);
    }

    /** How many users the file has. */
    int size() {
        return users.size();
    }

    /** Whether {@code password} is {@code user}'s; compares in constant time. */
    boolean verify(String user, byte[] password) {
        Entry e = users.get(user);
        if (e == null || password == null) {
            return false;
        }
        byte[] computed = e.iterations() == 0 ? sha512(password, e.salt()) : pbkdf2(password, e.salt(), e.iterations(), e.hash().length);
        return MessageDigest.isEqual(computed, e.hash());
    }

    /** The file entry's hash part for {@code password}, as {@code mosquitto_passwd} makes it. */
    static String hash(byte[] password, SecureRandom random) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        Base64.Encoder b64 = Base64.getEncoder();
        return "$7$" + ITERATIONS + "$" + b64.encodeToString(salt) + "$"
                + b64.encodeToString(pbkdf2(password, salt, ITERATIONS, HASH_BYTES));
    }

    /**
     * Sets {@code user}'s password in {@code file} (created if missing), keeping every other line; the
     * new file replaces the old one atomically, readable by its owner only when it is created.
     */
    static void setPassword(Path file, String user, byte[] password, SecureRandom random) throws IOException {
        if (user.isEmpty() || user.contains(":") || !user.strip().equals(user)) {
            throw new IllegalArgumentException("a user name must not be empty, contain ':' or begin or end with a space");
        }
        List<String> lines = Files.exists(file) ? new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8)) : new ArrayList<>();
        String entry = user + ":" + hash(password, random);
        boolean replaced = false;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(user + ":")) {
                lines.set(i, entry);
                replaced = true;
            }
        }
        if (!replaced) {
            lines.add(entry);
        }
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp"); // created owner-only
        try {
            Files.write(temp, lines, StandardCharsets.UTF_8);
            if (Files.exists(file)) {
                Files.setPosixFilePermissions(temp, Files.getPosixFilePermissions(file));
            }
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static byte[] pbkdf2(byte[] password, byte[] salt, int iterations, int bytes) {
        // PBEKeySpec takes chars; Mosquitto hashes the password's bytes, which are UTF-8 in practice
        char[] chars = new String(password, StandardCharsets.UTF_8).toCharArray();
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512")
                    .generateSecret(new PBEKeySpec(chars, salt, iterations, bytes * 8)).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA512 is not available in this JVM", e);
        }
    }

    private static byte[] sha512(byte[] password, byte[] salt) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-512");
            digest.update(password);
            digest.update(salt);
            return digest.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-512 is not available in this JVM", e);
        }
    }
}
