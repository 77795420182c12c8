package io.mohge.cluster;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * Asks the daemons' web endpoints how the cluster is: the NameNode's JMX servlet (live DataNodes, safe mode) and the
 * Spark master's JSON page (alive workers, running applications). Empty when a daemon does not answer.
 */
final class ClusterProbe {

    /** What HDFS reports. */
    record Hdfs(int liveDataNodes, boolean safeMode) { }

    /** What the Spark master reports. */
    record Spark(int aliveWorkers, int activeApps) { }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ClusterPorts ports;

    ClusterProbe(ClusterPorts ports) {
        this.ports = ports;
    }

    Optional<Hdfs> hdfs() {
        String base = "http://127.0.0.1:" + ports.nameNodeHttp() + "/jmx?qry=Hadoop:service=NameNode,name=";
        Optional<JsonObject> state = bean(base + "FSNamesystemState");
        Optional<JsonObject> info = bean(base + "NameNodeInfo");
        if (state.isEmpty() || info.isEmpty() || !state.get().has("NumLiveDataNodes")) return Optional.empty();
        JsonElement safe = info.get().get("Safemode");
        return Optional.of(new Hdfs(state.get().get("NumLiveDataNodes").getAsInt(),
                safe != null && !safe.getAsString().isEmpty()));
    }

    Optional<Spark> spark() {
        return get("http://127.0.0.1:" + ports.masterUi() + "/json/").map(j -> {
            JsonObject o = j.getAsJsonObject();
            return new Spark(o.get("aliveworkers").getAsInt(), o.getAsJsonArray("activeapps").size());
        });
    }

    private Optional<JsonObject> bean(String url) {
        return get(url).flatMap(j -> {
            var beans = j.getAsJsonObject().getAsJsonArray("beans");
            return beans == null || beans.isEmpty() ? Optional.empty() : Optional.of(beans.get(0).getAsJsonObject());
        });
    }

    private Optional<JsonElement> get(String url) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? Optional.of(JsonParser.parseString(r.body())) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
