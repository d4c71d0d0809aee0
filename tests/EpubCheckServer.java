// Runs the official EPUBCheck on many files in one JVM, for tests/writers/test_epub.py.
//
// Started as a single-file program (java -cp epubcheck.jar EpubCheckServer.java), so it needs a
// JDK; the tests fall back to one `java -jar epubcheck.jar` per file without one. Protocol: after
// "@@ready", each stdin line "<epub>\t<json report>" is checked with EPUBCheck's own command-line
// entry point (the same options as `epubcheck <epub> --json <report> -q`; a third field "-u"
// adds usage messages), then "@@done <status>" is printed. EPUBCheck loads its schemas once, which makes each further check fast.
import com.adobe.epubcheck.tool.EpubChecker;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

public class EpubCheckServer {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("@@ready");
        System.out.flush();
        String line;
        while ((line = in.readLine()) != null) {
            String[] parts = line.split("\t");
            String[] options = parts.length > 2 && parts[2].equals("-u")
                ? new String[] {parts[0], "--json", parts[1], "-q", "-u"}
                : new String[] {parts[0], "--json", parts[1], "-q"};
            int status = new EpubChecker().run(options);
            System.out.println("@@done " + status);
            System.out.flush();
        }
    }
}
