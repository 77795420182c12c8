package io.mohge.data;

import java.io.File;
import java.nio.file.Path;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.io.TempDir;

/** The prepare/read contract on the local file system, addressed by plain paths. */
class LocalDatasetTest extends DatasetContractTest {

    @TempDir
    Path tmp;

    private final Configuration hconf = new Configuration();

    @Override
    String location(String name) { return new File(tmp.toFile(), name).getPath(); }

    @Override
    Configuration hconf() { return hconf; }
}
