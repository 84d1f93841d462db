import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

/**
 * Checks RDF documents against the OWL 2 DL profile with the OWL API (the library of
 * Protege): prints each violation on a line, then "VIOLATIONS n AXIOMS m" per document.
 * Run as a single-file source program: java -cp 'OWLAPI_JARS' ProfileCheck.java FILE...
 */
public class ProfileCheck {
    public static void main(String[] args) throws Exception {
        for (String path : args) {
            OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
            OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(path));
            OWLProfileReport report = new OWL2DLProfile().checkOntology(ontology);
            for (OWLProfileViolation violation : report.getViolations()) {
                System.out.println(path + ": " + violation);
            }
            System.out.println("VIOLATIONS " + report.getViolations().size() + " AXIOMS "
                               + ontology.getAxiomCount() + " " + path);
        }
    }
}
