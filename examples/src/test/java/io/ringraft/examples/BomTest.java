package io.ringraft.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * {@code io.ringraft:ringraft-bom} pins every published module of this build, at the build's version,
 * and nothing else (no parent, no third-party versions that would override the application's own
 * dependency management). Reads the poms of the checkout (tests run in the module's directory).
 */
class BomTest {

    private static final Path ROOT = Path.of("..");

    @Test
    void theBomManagesExactlyThePublishedModulesAtTheBuildsVersion() throws Exception {
        Document parent = read(ROOT.resolve("pom.xml"));
        Document bom = read(ROOT.resolve("bom/pom.xml"));

        assertThat(child(bom.getDocumentElement(), "parent")).as("the BOM has no parent").isNull();
        assertThat(text(bom.getDocumentElement(), "version")).isEqualTo(text(parent.getDocumentElement(), "version"));

        List<String> published = new ArrayList<>();
        for (Element module : children(child(parent.getDocumentElement(), "modules"), "module")) {
            Document pom = read(ROOT.resolve(module.getTextContent().trim()).resolve("pom.xml"));
            String artifactId = text(pom.getDocumentElement(), "artifactId");
            String packaging = text(pom.getDocumentElement(), "packaging");
            Element properties = child(pom.getDocumentElement(), "properties");
            boolean notDeployed = properties != null && "true".equals(text(properties, "maven.deploy.skip"));
            if (!"pom".equals(packaging) && !notDeployed) {
                published.add("io.ringraft:" + artifactId + ":jar");
            }
        }
        published.add("io.ringraft:raft-core:test-jar");

        List<String> managed = new ArrayList<>();
        Element dependencies = child(child(bom.getDocumentElement(), "dependencyManagement"), "dependencies");
        for (Element dependency : children(dependencies, "dependency")) {
            assertThat(text(dependency, "version")).isEqualTo("${project.version}");
            String type = text(dependency, "type");
            managed.add(text(dependency, "groupId") + ":" + text(dependency, "artifactId") + ":"
                    + (type == null ? "jar" : type));
        }
        assertThat(published).contains("io.ringraft:raft-core:jar", "io.ringraft:raft-storage:jar",
                "io.ringraft:raft-net-netty:jar", "io.ringraft:raft-metrics-micrometer:jar");
        assertThat(managed).containsExactlyInAnyOrderElementsOf(published);
    }

    /**
     * raft-core's test-jar (the conformance suite, which users extend and debug) is
     * published with its sources, as every library jar is ({@code -test-sources.jar}).
     */
    @Test
    void theCoreTestJarIsPublishedWithItsSources() throws Exception {
        Document core = read(ROOT.resolve("raft-core/pom.xml"));
        List<String> goals = new ArrayList<>();
        for (Element plugin : children(child(child(core.getDocumentElement(), "build"), "plugins"), "plugin")) {
            if ("maven-source-plugin".equals(text(plugin, "artifactId"))) {
                for (Element execution : children(child(plugin, "executions"), "execution")) {
                    for (Element goal : children(child(execution, "goals"), "goal")) {
                        goals.add(goal.getTextContent().trim());
                    }
                }
            }
        }
        assertThat(goals).contains("test-jar-no-fork");
    }

    private static Document read(Path pom) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
    }

    private static Element child(Element parent, String name) {
        List<Element> found = children(parent, name);
        return found.isEmpty() ? null : found.get(0);
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node node = nodes.item(i);
            if (node instanceof Element element && element.getTagName().equals(name)) {
                found.add(element);
            }
        }
        return found;
    }

    private static String text(Element parent, String name) {
        Element element = child(parent, name);
        return element == null ? null : element.getTextContent().trim();
    }
}
