import java.util.TreeMap;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * Prints "RequestType Count" for the brokers' request meters (kafka.network RequestMetrics
 * RequestsPerSec, summed over API versions and over the brokers given): the requests the brokers
 * have received, by type. Used by scale_benchmark.py: java RequestCounts service:jmx:rmi://... [...]
 */
public class RequestCounts {
    public static void main(String[] args) throws Exception {
        ObjectName pattern = new ObjectName("kafka.network:type=RequestMetrics,name=RequestsPerSec,*");
        TreeMap<String, Long> counts = new TreeMap<>();
        for (String url : args) {
            try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(url))) {
                MBeanServerConnection mbs = connector.getMBeanServerConnection();
                for (ObjectName name : mbs.queryNames(pattern, null)) {
                    long count = ((Number) mbs.getAttribute(name, "Count")).longValue();
                    counts.merge(name.getKeyProperty("request"), count, Long::sum);
                }
            }
        }
        counts.forEach((request, count) -> System.out.println(request + " " + count));
    }
}
