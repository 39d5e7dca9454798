// Prints Kafka's broker configs as tab-separated rows, from the broker's own classes (run with the
// broker's classpath: java -cp '<kafka>/lib/*:<dir>' BrokerConfigs). Read by scripts/broker-configs/generate.
// Columns: name, type, update mode (cluster-wide | per-broker | read-only), default, validator, synonyms.
import java.util.*;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.server.config.DynamicBrokerConfig;
import org.apache.kafka.server.config.DynamicConfig;

public class BrokerConfigs {
  public static void main(String[] args) {
    Map<String, ConfigDef.ConfigKey> keys = new TreeMap<>(kafka.server.KafkaConfig$.MODULE$.configDef().configKeys());
    keys.putAll(DynamicConfig.Broker.configKeys());  // the replication throttles live only here
    Map<String, String> modes = DynamicBrokerConfig.dynamicConfigUpdateModes();
    for (Map.Entry<String, ConfigDef.ConfigKey> e : keys.entrySet()) {
      ConfigDef.ConfigKey k = e.getValue();
      String dflt = "";
      if (k.hasDefault() && k.defaultValue != null) {
        dflt = k.defaultValue instanceof List ? String.join(",", (List<String>) k.defaultValue)
            : k.defaultValue instanceof Class ? ((Class<?>) k.defaultValue).getName() : String.valueOf(k.defaultValue);
      }
      String mode = modes.getOrDefault(e.getKey(), "read-only");
      String synonyms = String.join(",", DynamicBrokerConfig.brokerConfigSynonyms(e.getKey(), false));
      System.out.println(String.join("\t", e.getKey(), k.type.toString(), mode, dflt.replace("\t", " ").replace("\n", " "),
          k.validator == null ? "" : k.validator.toString(), synonyms));
    }
    System.out.println("#security\t" + String.join(",", new TreeSet<>(DynamicBrokerConfig.DYNAMIC_SECURITY_CONFIGS)));
  }
}
