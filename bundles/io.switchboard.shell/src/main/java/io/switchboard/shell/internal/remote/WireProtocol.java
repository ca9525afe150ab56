package io.switchboard.shell.internal.remote;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;

/**
 * The channel's wire protocol; the client is {@code io.switchboard.launcher.ShellClient}, whose
 * javadoc is the reference. One request and one response per connection; integers are 4-byte
 * big-endian, text is UTF-8:
 * <pre>
 * request  = length:int32  command:byte[length]          (at most 1 MiB)
 * response = status:int8
 *            length:int32  output:byte[length]
 *            length:int32  error:byte[length]
 * status   = 0 success | 1 the command failed | 2 bad request
 * </pre>
 */
final class WireProtocol {

    static final int MAX_COMMAND_BYTES = 1 << 20;

    private WireProtocol() {
    }

    /** Thrown for a request that is not a command line; the answer is {@link CommandResult#BAD_REQUEST}. */
    static final class BadRequestException extends Exception {
        private static final long serialVersionUID = 1L;

        BadRequestException(String message) {
            super(message);
        }
    }

    static String readRequest(DataInputStream in) throws IOException, BadRequestException {
        int length = in.readInt();
        if (length <= 0 || length > MAX_COMMAND_BYTES) {
            throw new BadRequestException("bad request: command length " + length + " (1.." + MAX_COMMAND_BYTES + " bytes)");
        }
        byte[] command = new byte[length];
        in.readFully(command);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(command))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new BadRequestException("bad request: the command is not UTF-8");
        }
    }

    static void writeResponse(DataOutputStream out, CommandResult result) throws IOException {
        out.writeByte(result.status());
        writeText(out, result.output());
        writeText(out, result.error());
        out.flush();
    }

    private static void writeText(DataOutputStream out, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }
}
