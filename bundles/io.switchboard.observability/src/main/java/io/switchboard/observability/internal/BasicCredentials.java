package io.switchboard.observability.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;

/**
 * A user name and password from an HTTP Basic {@code Authorization} header (RFC 7617, UTF-8).
 *
 * @param user the user name
 * @param password the password's UTF-8 bytes
 */
record BasicCredentials(String user, byte[] password) {

    private static final String SCHEME = "basic ";

    /** The credentials of {@code header}, or {@code null} when it is absent or not well-formed Basic credentials. */
    static BasicCredentials parse(String header) {
        if (header == null || header.length() <= SCHEME.length()
                || !header.substring(0, SCHEME.length()).toLowerCase(Locale.ROOT).equals(SCHEME)) {
            return null;
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(header.substring(SCHEME.length()).strip());
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
        int colon = indexOf(decoded, (byte) ':');
        if (colon <= 0) {
            return null;
        }
        try {
            String user = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(decoded, 0, colon)).toString();
            return new BasicCredentials(user, Arrays.copyOfRange(decoded, colon + 1, decoded.length));
        } catch (CharacterCodingException notUtf8) {
            return null;
        }
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return "BasicCredentials[user=" + user + "]"; // never the password
    }
}
