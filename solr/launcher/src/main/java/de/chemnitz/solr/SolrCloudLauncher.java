package de.chemnitz.solr;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
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
    try {
      for (int i = 0; i < nodes; i++) {
        JettyConfig config = JettyConfig.builder().setPort(port + i).stopAtShutdown(false).build();
        JettySolrRunner jetty = cluster.startJettySolrRunner("node" + (i + 1), "/solr", config);
        urls.append(' ').append(jetty.getBaseUrl());
      }
      cluster.waitForAllNodes(60);
      cluster.uploadConfigSet(configset, collection);
      CollectionAdminRequest.createCollection(collection, collection, shards, replicas)
          .process(cluster.getSolrClient());
      cluster.waitForActiveCollection(collection, 120, TimeUnit.SECONDS, shards, shards * replicas);
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
