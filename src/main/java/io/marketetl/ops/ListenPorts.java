package io.marketetl.ops;

import io.marketetl.db.StartupFailure;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Checks, before Camel starts its HTTP servers, that their ports can be listened on. Camel 4.17's Vert.x server
 * only logs a failed listen ({@code BindException} in an event-loop thread) and the application would run on
 * without its REST API or management endpoints; a taken port is a configuration error that names its setting.
 */
public final class ListenPorts {

    private ListenPorts() {
    }

    /**
     * Fails with {@link StartupFailure.Kind#BAD_CONFIGURATION} when nothing may listen on {@code host:port}.
     *
     * @param setting the environment variable that sets the port, for the message
     */
    public static void requireFree(String setting, String host, int port) {
        if (port == 0) {
            return; // an ephemeral port is always available
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true); // as Vert.x binds: a port in TIME_WAIT is free, a listening one is not
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new StartupFailure(StartupFailure.Kind.BAD_CONFIGURATION, "cannot listen on " + host + ":" + port
                    + " (" + e.getMessage() + "); another process holds the port: stop it or set " + setting
                    + " to a free port.", null);
        }
    }
}
