package dev.streamparrot.deploy;

import java.util.List;

/**
 * One process of the local cluster.
 *
 * @param name      short name, also of its pid and log files
 * @param port      the port it listens on (its HTTP port for services)
 * @param healthUrl what answers 200 once it is ready, or null to wait for the port alone
 */
public record Component(String name, int port, String healthUrl, List<String> command) {}
