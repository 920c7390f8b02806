package de.chemnitz.solr;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.solr.client.solrj.request.CollectionAdminRequest;
import org.apache.solr.cloud.MiniSolrCloudCluster;
import org.apache.solr.cloud.ZkTestServer;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * The portal's SolrCloud on one machine: embedded ZooKeeper and Solr nodes on 127.0.0.1 in this
 * one JVM, running until it is stopped (SIGTERM from scripts/solr.sh stop).
 *
 * <p>Solr's own test cluster (MiniSolrCloudCluster) is used because it runs from Maven artifacts
 * alone; the nodes are ordinary Solr nodes with the collection spread over them as in production.
 * Every start begins empty (ZooKeeper formatted, the nodes' cores removed): the database is the
 * source of truth and `ckan search-index rebuild` fills the collection.
 *
 * <p>A control port (SOLR_PORT + 1001, 127.0.0.1 only) takes one line per connection, {@code stop N}
 * or {@code start N}, and stops or restarts node N (1-based) the way Solr's own tests take a node
 * away (ChaosMonkey.kill: JettySolrRunner.stop, its ZooKeeper session ends, its replicas go
 * down); a restarted node keeps its port and cores and recovers them from the shard leaders. The
 * fault tests (tests/solr) use it through scripts/solr.sh node stop|start N.
 *
 * <p>Settings (environment): SOLR_PORT (first node; the others follow it, ZooKeeper listens on
 * SOLR_PORT + 1000 as Solr's own scripts do), SOLR_NODES, SOLR_HOME (working directory),
 * SOLR_CONFIGSET (directory of solrconfig.xml and schema.xml), SOLR_COLLECTION, SOLR_SHARDS,
 * SOLR_REPLICAS.
 */
public final class SolrCloudLauncher {

  private SolrCloudLauncher() {}

  public static void main(String[] args) throws Exception {
    int port = intSetting("SOLR_PORT", 8983);
    int nodes = intSetting("SOLR_NODES", 2);
    int shards = intSetting("SOLR_SHARDS", 2);
    int replicas = intSetting("SOLR_REPLICAS", 2);
    Path home = Path.of(setting("SOLR_HOME", "var/solr")).toAbsolutePath();
    Path configset = Path.of(setting("SOLR_CONFIGSET", "docker/solr/conf")).toAbsolutePath();
    String collection = setting("SOLR_COLLECTION", "ckan");
    if (!Files.isRegularFile(configset.resolve("schema.xml"))) {
      throw new IllegalArgumentException("No schema.xml in SOLR_CONFIGSET " + configset);
    }

    deleteRecursively(home);
    Files.createDirectories(home);
    ZkTestServer zookeeper = new ZkTestServer(home.resolve("zookeeper"), port + 1000);
    zookeeper.run(true);
    MiniSolrCloudCluster cluster =
        new MiniSolrCloudCluster(
            0,
            home,
            MiniSolrCloudCluster.DEFAULT_CLOUD_SOLR_XML,
            JettyConfig.builder().build(),
            zookeeper,
            true);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.out.println("Stopping SolrCloud");
                  try {
                    cluster.shutdown();
                    zookeeper.shutdown();
                  } catch (Exception e) {
                    e.printStackTrace();
                  }
                  stopped.countDown();
                }));

    StringBuilder urls = new StringBuilder();
    List<JettySolrRunner> started = new ArrayList<>();
    try {
      for (int i = 0; i < nodes; i++) {
        JettyConfig config = JettyConfig.builder().setPort(port + i).stopAtShutdown(false).build();
        JettySolrRunner jetty = cluster.startJettySolrRunner("node" + (i + 1), "/solr", config);
        started.add(jetty);
        urls.append(' ').append(jetty.getBaseUrl());
      }
      cluster.waitForAllNodes(60);
      cluster.uploadConfigSet(configset, collection);
      CollectionAdminRequest.createCollection(collection, collection, shards, replicas)
          .process(cluster.getSolrClient());
      cluster.waitForActiveCollection(collection, 120, TimeUnit.SECONDS, shards, shards * replicas);
      control(cluster, started, port + 1001);
    } catch (Exception e) {
      // A configset Solr refuses, a port taken: the nodes' threads would keep the JVM alive.
      System.out.println("SolrCloud did not start: " + e);
      e.printStackTrace(System.out);
      System.exit(1);
    }
    System.out.printf(
        "SolrCloud ready: collection %s (%d shards x %d replicas) on%s, ZooKeeper %s%n",
        collection, shards, replicas, urls, zookeeper.getZkAddress());
    stopped.await();
  }

  /** Serves the control port on a daemon thread: one command per connection, one answer line. */
  private static void control(MiniSolrCloudCluster cluster, List<JettySolrRunner> nodes, int port)
      throws IOException {
    ServerSocket server = new ServerSocket(port, 5, InetAddress.getLoopbackAddress());
    Thread thread =
        new Thread(
            () -> {
              while (true) {
                try (Socket socket = server.accept();
                    BufferedReader in =
                        new BufferedReader(
                            new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                    PrintWriter out =
                        new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8)) {
                  out.println(command(cluster, nodes, String.valueOf(in.readLine()).trim()));
                } catch (IOException e) {
                  System.out.println("Control connection failed: " + e);
                }
              }
            },
            "solr-control");
    thread.setDaemon(true);
    thread.start();
  }

  /** Runs {@code stop N} or {@code start N}; answers "ok ..." or "error ...". */
  private static String command(
      MiniSolrCloudCluster cluster, List<JettySolrRunner> nodes, String line) {
    String[] words = line.split("\\s+");
    int index;
    try {
      index = words.length == 2 ? Integer.parseInt(words[1]) - 1 : -1;
    } catch (NumberFormatException e) {
      index = -1;
    }
    if (index < 0 || index >= nodes.size() || !List.of("stop", "start").contains(words[0])) {
      return "error: say 'stop N' or 'start N' with N from 1 to " + nodes.size();
    }
    JettySolrRunner jetty = nodes.get(index);
    try {
      if (words[0].equals("stop")) {
        if (jetty.isRunning()) {
          cluster.stopJettySolrRunner(jetty);
          cluster.waitForJettyToStop(jetty);
        }
        System.out.println("Node " + (index + 1) + " stopped (control port)");
        return "ok: node " + (index + 1) + " stopped";
      }
      // Back once the node is live; its replicas recover from their leaders after that (with every
      // node down, a shard elects a leader once its replicas are back, so nodes start one by one).
      if (!jetty.isRunning()) {
        cluster.startJettySolrRunner(jetty, true);
        cluster.waitForNode(jetty, 60);
      }
      System.out.println("Node " + (index + 1) + " started (control port)");
      return "ok: node " + (index + 1) + " started";
    } catch (Exception e) {
      return "error: " + e;
    }
  }

  private static String setting(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }

  private static int intSetting(String name, int fallback) {
    String value = setting(name, Integer.toString(fallback));
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, got " + value, e);
    }
  }

  private static void deleteRecursively(Path directory) throws IOException {
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
