package vn.onboardinghub;

import org.apache.camel.main.Main;

/** Starts the hub: {@code java -jar target/onboarding-hub.jar}. */
public final class Application {
    private Application() {
    }

    public static void main(String[] args) throws Exception {
        create().run(args);
    }

    /** The hub's Camel Main, configured but not started (tests add override properties before starting it). */
    public static Main create() {
        Main main = new Main();
        main.configure().addConfiguration(HubConfiguration.class);
        main.configure().addConfiguration(vn.onboardinghub.channels.file.FileDropConfiguration.class);
        main.setPropertyPlaceholderLocations(
                "classpath:application.properties;optional=true,file:application.properties;optional=true");
        return main;
    }
}
