package demo;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class GreetingController {
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
}
