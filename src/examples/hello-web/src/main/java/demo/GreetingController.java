package demo;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class GreetingController {
    /** An in-memory store, filled with a fixture at boot: a fresh generation starts pristine. */
    private final List<String> notes = new CopyOnWriteArrayList<>(List.of("fixture note 1", "fixture note 2"));

    @GetMapping("/")
    public String hello() {
        return "Hello from generation " + System.getProperty("cracdev.generation", "-") + "\n";
    }

    /** A value from application.properties: edit it and the next generation answers with the new one. */
    @Value("${greeting:Hi}")
    private String greeting;

    @GetMapping("/greeting")
    public String greeting() {
        return greeting + "\n";
    }

    @GetMapping("/notes")
    public List<String> notes() {
        return notes;
    }

    @PostMapping("/notes")
    public List<String> add(@RequestBody String note) {
        notes.add(note);
        return notes;
    }
}
